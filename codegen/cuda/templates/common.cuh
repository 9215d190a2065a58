// Shared device helpers of the ssdc CUDA templates: activations, the dt
// processing of the SSD operator, and grid-stride loops. Storage types are
// template parameters (float, __nv_bfloat16, __half); every template loads
// with float(...), computes in fp32 and rounds once when it stores with
// T(...) (DESIGN.md's numerics policy: exp arguments as differences clamped at
// <= 0, dt, cumsums, states and accumulators in fp32).
#ifndef SSDC_CUDA_COMMON_CUH
#define SSDC_CUDA_COMMON_CUH

#include "ssdc/cuda_params.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace ssdc {
namespace cuda {

__device__ __forceinline__ float siluf(float v) { return v / (1.0f + expf(-v)); }

__device__ __forceinline__ float softplusf(float v) {
  return v > 20.0f ? v : log1pf(expf(v));
}

/// dt' = clamp(softplus(dt + bias)) with each step optional.
__device__ __forceinline__ float processDt(float dt, const float *bias, int64_t h,
                                           int softplus, float lo, float hi) {
  float v = dt + (bias ? bias[h] : 0.0f);
  if (softplus)
    v = softplusf(v);
  return fminf(fmaxf(v, lo), hi);
}

/// exp(d) for a log-decay difference d, clamped at <= 0.
__device__ __forceinline__ float decay(float d) { return expf(fminf(d, 0.0f)); }

/// Global linear thread index and stride for grid-stride loops.
__device__ __forceinline__ int64_t globalIndex() {
  return int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t globalStride() {
  return int64_t(gridDim.x) * blockDim.x;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_COMMON_CUH
