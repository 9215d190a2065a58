// Wraps row-major pointers as Halide buffers for the wrapper API.
#include "buffers.h"

#include "HalideRuntime.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace ssdc {
namespace cpu {
namespace detail {

namespace {
// Halide's default handler aborts the process; report and return the error
// code from the wrapper instead.
void printError(void *, const char *msg) { std::fprintf(stderr, "ssdc cpu kernel: %s\n", msg); }
struct InstallHandler {
  InstallHandler() { halide_set_error_handler(printError); }
} installHandler;
} // namespace

Buf view(const float *data, std::initializer_list<int> rowMajorShape) {
  std::vector<int> dims(rowMajorShape.begin(), rowMajorShape.end());
  std::reverse(dims.begin(), dims.end());
  return Buf(const_cast<float *>(data), dims);
}

Buf viewOrZeros(const float *data, std::vector<float> &zeros,
                std::initializer_list<int> rowMajorShape) {
  if (data)
    return view(data, rowMajorShape);
  size_t n = 1;
  for (int d : rowMajorShape)
    n *= size_t(d);
  zeros.assign(n, 0.0f);
  return view(zeros.data(), rowMajorShape);
}

float finiteDtMax(float dtMax) {
  return std::isfinite(dtMax) ? dtMax : FLT_MAX;
}

} // namespace detail
} // namespace cpu
} // namespace ssdc
