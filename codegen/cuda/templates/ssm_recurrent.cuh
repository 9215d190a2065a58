// The SSD operator as a recurrence (schedule `recurrent`): decode steps and
// multi-token scans. S_t = exp(dt_t A) S_{t-1} + dt_t x_t ⊗ B_t,
// y_t = S_t C_t + D x_t, with the dt processing inside. Near decay 1
// (dt·A > -0.5) the update is S + (expm1(dt·A) S + dt x B): exp(dt·A) rounded
// to fp32 next to 1 is off by up to 3e-8 per step, and over 4096 steps that
// reached 3.4e-5 relative on an H100 (docs/gpu_kernels_check.md); below, the
// plain a S + dt x B (the expm1 form would cancel S against -S there), as
// the CPU kernels do (codegen/cpu/generators/common.h, decayStep).
// Launch: one block per (batch, head); dynamic shared memory of
// (headdim·(dstate + 1) + 2·dstate) floats; the state stays in shared memory,
// its rows padded to dstate + 1 floats: the y loop has thread pi walk row pi,
// and with an unpadded row of 128 floats all 32 lanes of a warp hit one bank
// (32-way conflicts on every read; the decode profile of docs/perf/gpu_model.md).
// The executor (runtime/cuda/CudaExecutor.cpp) and the kernel check
// (test/gpu/kernels/ssd_check.cu) size the shared memory with this formula.
#ifndef SSDC_CUDA_SSM_RECURRENT_CUH
#define SSDC_CUDA_SSM_RECURRENT_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmRecurrentKernel(const SsmParams &p) {
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *y = static_cast<TY *>(p.y);
  extern __shared__ float smem[];
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t b = blockIdx.x / H, h = blockIdx.x % H, g = h / (H / G);
  const int64_t R = N + 1;  // padded row stride of S
  float *S = smem, *Bs = smem + P * R, *Cs = Bs + N;
  for (int64_t e = threadIdx.x; e < P * N; e += blockDim.x)
    S[e / N * R + e % N] = p.initState ? p.initState[(b * H + h) * P * N + e] : 0.0f;
  const float A = p.A[h];
  for (int64_t t = 0; t < L; ++t) {
    __syncthreads();
    for (int64_t n = threadIdx.x; n < N; n += blockDim.x) {
      Bs[n] = float(Bin[((b * L + t) * G + g) * N + n]);
      Cs[n] = float(Cin[((b * L + t) * G + g) * N + n]);
    }
    const float dt = processDt(float(dtIn[(b * L + t) * H + h]), p.dtBias, h,
                               p.dtSoftplus, p.dtMin, p.dtMax);
    const float u = dt * A, a = expf(u), am1 = expm1f(u);
    const bool nearOne = u > -0.5f;
    const TX *x = static_cast<const TX *>(p.x) + ((b * L + t) * H + h) * P;
    __syncthreads();
    for (int64_t e = threadIdx.x; e < P * N; e += blockDim.x) {
      int64_t pi = e / N, n = e % N;
      const float add = dt * float(x[pi]) * Bs[n];
      float &s = S[pi * R + n];
      s = nearOne ? s + (am1 * s + add) : a * s + add;
    }
    __syncthreads();
    for (int64_t pi = threadIdx.x; pi < P; pi += blockDim.x) {
      float acc = 0.0f;
      for (int64_t n = 0; n < N; ++n)
        acc += S[pi * R + n] * Cs[n];
      if (p.D)
        acc += p.D[h] * float(x[pi]);
      y[((b * L + t) * H + h) * P + pi] = TY(acc);
    }
  }
  __syncthreads();
  for (int64_t e = threadIdx.x; e < P * N; e += blockDim.x)
    p.finalState[(b * H + h) * P * N + e] = S[e / N * R + e % N];
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSM_RECURRENT_CUH
