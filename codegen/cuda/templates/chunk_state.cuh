// ssd.chunk_state: the state each chunk contributes,
// states[b,c,h,p,n] = Σ_{j in chunk c} exp(cum_last − cum_j) v[b,j,h,p] k[b,j,g,n].
// Launch: any 1-D grid over batch·chunks·heads·headdim·dstate.
#ifndef SSDC_CUDA_CHUNK_STATE_CUH
#define SSDC_CUDA_CHUNK_STATE_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <int Q, typename TK, typename TV>
__device__ void chunkStateKernel(const ChunkStateParams &p) {
  const TK *kIn = static_cast<const TK *>(p.k);
  const TV *vIn = static_cast<const TV *>(p.v);
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t chunks = (L + Q - 1) / Q, total = p.batch * chunks * H * P * N;
  for (int64_t i = globalIndex(); i < total; i += globalStride()) {
    int64_t n = i % N, pi = (i / N) % P, h = (i / (N * P)) % H;
    int64_t c = (i / (N * P * H)) % chunks, b = i / (N * P * H * chunks);
    int64_t g = h / (H / G), end = min(L, (c + 1) * Q);
    float last = p.cum[(b * L + end - 1) * H + h], acc = 0.0f;
    for (int64_t j = c * Q; j < end; ++j)
      acc += decay(last - p.cum[(b * L + j) * H + h]) *
             float(vIn[((b * L + j) * H + h) * P + pi]) *
             float(kIn[((b * L + j) * G + g) * N + n]);
    p.states[i] = acc;
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_STATE_CUH
