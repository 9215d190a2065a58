// Shape helpers: formatting for messages, element count, squeeze.
#include "ssdc/weights/TensorInfo.h"

namespace ssdc {

std::string formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t shapeNumel(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Shape squeezeShape(const Shape &shape) {
  Shape out;
  for (int64_t d : shape)
    if (d != 1)
      out.push_back(d);
  return out;
}

} // namespace ssdc
