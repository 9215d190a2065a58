// A host f32 tensor: shape and row-major data. Used for the runtime's inputs,
// outputs and states.
#ifndef SSDC_RUNTIME_TENSOR_H
#define SSDC_RUNTIME_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace ssdc::rt {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  static int64_t count(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t numel() const { return count(shape); }
};

std::string shapeString(const std::vector<int64_t> &shape);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_TENSOR_H
