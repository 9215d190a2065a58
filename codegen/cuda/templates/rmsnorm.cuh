// RMSNorm with an optional gate z, normalising each group of `group`
// channels separately (grouped gated norm of Mamba-2; group == d is the plain
// norm). norm_before_gate = false: gate first, then normalise (REFERENCE.md).
// Launch: one block per (row, group), blockDim a power of two <= 1024,
// blockDim floats of dynamic shared memory.
#ifndef SSDC_CUDA_RMSNORM_CUH
#define SSDC_CUDA_RMSNORM_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <typename TX, typename TW, typename TZ, typename TY>
__device__ void rmsnormKernel(const RmsnormParams &p) {
  const TW *w = static_cast<const TW *>(p.w);
  extern __shared__ float partial[];
  int64_t groups = p.d / p.group;
  int64_t row = blockIdx.x / groups, g0 = (blockIdx.x % groups) * p.group;
  const TX *x = static_cast<const TX *>(p.x) + row * p.d;
  const TZ *z = p.z ? static_cast<const TZ *>(p.z) + row * p.d : nullptr;
  float ss = 0.0f;
  for (int64_t i = g0 + threadIdx.x; i < g0 + p.group; i += blockDim.x) {
    float u = float(x[i]);
    if (z && !p.normBeforeGate)
      u *= siluf(float(z[i]));
    ss += u * u;
  }
  partial[threadIdx.x] = ss;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s)
      partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  float inv = rsqrtf(partial[0] / float(p.group) + p.eps);
  for (int64_t i = g0 + threadIdx.x; i < g0 + p.group; i += blockDim.x) {
    float gate = z ? siluf(float(z[i])) : 1.0f;
    static_cast<TY *>(p.y)[row * p.d + i] = TY(float(x[i]) * gate * inv * float(w[i]));
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_RMSNORM_CUH
