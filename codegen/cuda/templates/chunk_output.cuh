// ssd.chunk_output: y[b,i,h,p] = Σ_{j ≤ i in i's chunk} exp(cum_i − cum_j)
// (q_i·k_j) v[j,p] + exp(cum_i) q_i·prev[chunk(i), p, :] (+ D·x, the fused
// skip). Launch: any 1-D grid over batch·len·heads·headdim.
#ifndef SSDC_CUDA_CHUNK_OUTPUT_CUH
#define SSDC_CUDA_CHUNK_OUTPUT_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <int Q, typename TQ, typename TV, typename TS, typename TY>
__device__ void chunkOutputKernel(const ChunkOutputParams &p) {
  const TV *vIn = static_cast<const TV *>(p.v);
  const TS *skipX = static_cast<const TS *>(p.skipX);
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t chunks = (L + Q - 1) / Q, total = p.batch * L * H * P;
  for (int64_t e = globalIndex(); e < total; e += globalStride()) {
    int64_t pi = e % P, h = (e / P) % H, i = (e / (P * H)) % L, b = e / (P * H * L);
    int64_t g = h / (H / G), c = i / Q;
    const TQ *q = static_cast<const TQ *>(p.q) + ((b * L + i) * G + g) * N;
    float ci = p.cum[(b * L + i) * H + h], acc = 0.0f;
    for (int64_t j = c * Q; j <= i; ++j) {
      const TQ *k = static_cast<const TQ *>(p.k) + ((b * L + j) * G + g) * N;
      float qk = 0.0f;
      for (int64_t n = 0; n < N; ++n)
        qk += float(q[n]) * float(k[n]);
      acc += decay(ci - p.cum[(b * L + j) * H + h]) * qk *
             float(vIn[((b * L + j) * H + h) * P + pi]);
    }
    const float *prev = p.prev + (((b * chunks + c) * H + h) * P + pi) * N;
    float qs = 0.0f;
    for (int64_t n = 0; n < N; ++n)
      qs += float(q[n]) * prev[n];
    acc += decay(ci) * qs;
    if (skipX && p.D)
      acc += p.D[h] * float(skipX[e]);
    static_cast<TY *>(p.y)[e] = TY(acc);
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_OUTPUT_CUH
