// The SSD operator in its quadratic (attention) form, schedule `quadratic`:
// y_i = Σ_{j≤i} exp(cum_i − cum_j) (C_i·B_j) dt_j x_j + exp(cum_i) C_i·S_0
//       + D x_i, and the final state
// S_L = exp(cum_L) S_0 + Σ_j exp(cum_L − cum_j) dt_j x_j ⊗ B_j.
// Launch: one block per (batch, head); dynamic shared memory of len doubles
// and len floats: the cumulative log decay, kept in double because decays are
// exp(cum_i − cum_j), a difference of two long running sums whose fp32
// rounding (|cum|·2⁻²⁴) would otherwise dominate the error at real sizes
// (mamba2-130m logits were 1.1e-4 from float64 with an fp32 cumsum), then the
// processed dt.
#ifndef SSDC_CUDA_SSM_QUADRATIC_CUH
#define SSDC_CUDA_SSM_QUADRATIC_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmQuadraticKernel(const SsmParams &p) {
  const TX *xIn = static_cast<const TX *>(p.x);
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *y = static_cast<TY *>(p.y);
  extern __shared__ double smemd[];
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t b = blockIdx.x / H, h = blockIdx.x % H, g = h / (H / G);
  double *cum = smemd;
  float *dts = reinterpret_cast<float *>(smemd + L);
  for (int64_t t = threadIdx.x; t < L; t += blockDim.x)
    dts[t] = processDt(float(dtIn[(b * L + t) * H + h]), p.dtBias, h,
                       p.dtSoftplus, p.dtMin, p.dtMax);
  __syncthreads();
  if (threadIdx.x == 0) {
    double run = 0.0;
    for (int64_t t = 0; t < L; ++t) {
      run += double(dts[t]) * double(p.A[h]);
      cum[t] = run;
    }
  }
  __syncthreads();
  auto Bv = [&](int64_t t, int64_t n) { return float(Bin[((b * L + t) * G + g) * N + n]); };
  auto Cv = [&](int64_t t, int64_t n) { return float(Cin[((b * L + t) * G + g) * N + n]); };
  auto Xv = [&](int64_t t, int64_t pi) { return float(xIn[((b * L + t) * H + h) * P + pi]); };
  const float *S0 = p.initState ? p.initState + (b * H + h) * P * N : nullptr;
  for (int64_t e = threadIdx.x; e < L * P; e += blockDim.x) {
    int64_t i = e / P, pi = e % P;
    float acc = 0.0f;
    // Not unrolled: the 4x unrolled j loops loaded cum[j..j+1] as one 16-byte
    // vector, and compute-sanitizer's memcheck saw that read run past the
    // 12 bytes of shared memory a 1-token call has (docs/gpu_kernels_check.md).
#pragma unroll 1
    for (int64_t j = 0; j <= i; ++j) {
      float cb = 0.0f;
      for (int64_t n = 0; n < N; ++n)
        cb += Cv(i, n) * Bv(j, n);
      acc += decay(float(cum[i] - cum[j])) * cb * dts[j] * Xv(j, pi);
    }
    if (S0) {
      float cs = 0.0f;
      for (int64_t n = 0; n < N; ++n)
        cs += Cv(i, n) * S0[pi * N + n];
      acc += decay(float(cum[i])) * cs;
    }
    if (p.D)
      acc += p.D[h] * Xv(i, pi);
    y[((b * L + i) * H + h) * P + pi] = TY(acc);
  }
  for (int64_t e = threadIdx.x; e < P * N; e += blockDim.x) {
    int64_t pi = e / N, n = e % N;
    float s = S0 ? decay(float(cum[L - 1])) * S0[e] : 0.0f;
#pragma unroll 1
    for (int64_t j = 0; j < L; ++j)
      s += decay(float(cum[L - 1] - cum[j])) * dts[j] * Xv(j, pi) * Bv(j, n);
    p.finalState[(b * H + h) * P * N + e] = s;
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSM_QUADRATIC_CUH
