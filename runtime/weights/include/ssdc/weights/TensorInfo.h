// TensorInfo: one tensor of a memory-mapped safetensors file (name, dtype,
// shape, and its bytes inside the mapping), plus shape helpers used in messages.
#ifndef SSDC_WEIGHTS_TENSORINFO_H
#define SSDC_WEIGHTS_TENSORINFO_H

#include "ssdc/weights/DType.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssdc {

using Shape = std::vector<int64_t>;

/// "[2560, 1, 4]"; "[]" for a scalar.
std::string formatShape(const Shape &shape);
/// Product of the dims (1 for a scalar). Caller guarantees no overflow
/// (shapes read from files are checked when the file is opened).
int64_t shapeNumel(const Shape &shape);
/// The shape without its size-1 dims: [c, 1, K] -> [c, K].
Shape squeezeShape(const Shape &shape);

struct TensorInfo {
  std::string name;        // as stored in the file
  DType dtype = DType::F32;
  Shape shape;
  const uint8_t *data = nullptr; // into the file's read-only mapping
  size_t nbytes = 0;
  std::string file;        // path of the file holding it, for messages

  int64_t numel() const { return shapeNumel(shape); }
};

} // namespace ssdc

#endif // SSDC_WEIGHTS_TENSORINFO_H
