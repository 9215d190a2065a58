// The cheap elementwise ops of a plan on the CPU: exp, neg, silu, softplus,
// clamp, cast, and add / mul with NumPy broadcasting.
#ifndef SSDC_RUNTIME_CPU_ELEMENTWISE_H
#define SSDC_RUNTIME_CPU_ELEMENTWISE_H

#include "runtime/core/Plan.h"

#include <functional>
#include <vector>

namespace ssdc::rt {

/// Runs `l` if it is an elementwise op; returns false otherwise.
bool runElementwise(const std::vector<int64_t> &firstShape, const Launch &l,
                    const std::function<const float *(int64_t)> &in,
                    const std::function<std::vector<int64_t>(int64_t)> &shape,
                    const std::function<float *(int64_t)> &out);

/// out = lhs ∘ rhs with NumPy broadcasting into `outShape`.
void broadcastBinary(const float *lhs, const std::vector<int64_t> &lhsShape,
                     const float *rhs, const std::vector<int64_t> &rhsShape,
                     float *out, const std::vector<int64_t> &outShape,
                     bool multiply);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CPU_ELEMENTWISE_H
