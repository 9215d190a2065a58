// Helpers for the wrapper API: wrap row-major pointers as Halide buffers
// (Halide dims innermost first, so the shape is reversed) and supply zero
// buffers for absent optional inputs.
#ifndef SSDC_CPU_KERNELS_BUFFERS_H
#define SSDC_CPU_KERNELS_BUFFERS_H

#include "HalideBuffer.h"

#include <initializer_list>
#include <vector>

namespace ssdc {
namespace cpu {
namespace detail {

using Buf = Halide::Runtime::Buffer<float>;

/// A Halide view of a row-major tensor with the given row-major shape.
Buf view(const float *data, std::initializer_list<int> rowMajorShape);

/// The same view over `data` or, when null, over `zeros` (resized to fit and
/// zero-filled).
Buf viewOrZeros(const float *data, std::vector<float> &zeros,
                std::initializer_list<int> rowMajorShape);

/// Finite dtMax for the kernels (Halide compiles without infinities).
float finiteDtMax(float dtMax);

} // namespace detail
} // namespace cpu
} // namespace ssdc

#endif
