// ssd.chunk_state: the state each chunk contributes,
// states[b,c,h,p,n] = Σ_{j in chunk c} exp(cum_last − cum_j) v[b,j,h,p] k[b,j,g,n].
// Tiled as the quadratic kernel's final state (ssm_quadratic.cuh,
// tile::stateTile): one CTA per (batch, chunk, head, 64 head-dim rows, 64
// state columns), the chunk's tokens staged 64 at a time in shared memory.
// Grid, block and shared memory: ssdc/ssd_staged_launch.h, chunkStateLaunch.
#ifndef SSDC_CUDA_CHUNK_STATE_CUH
#define SSDC_CUDA_CHUNK_STATE_CUH

#include "common.cuh"
#include "ssm_quadratic.cuh"
#include "ssdc/ssd_staged_launch.h"

namespace ssdc {
namespace cuda {

template <int Q, typename TK, typename TV>
__device__ void chunkStateKernel(const ChunkStateParams &p) {
  using namespace tile;
  extern __shared__ __align__(16) double smemd[];
  const TK *kIn = static_cast<const TK *>(p.k);
  const TV *vIn = static_cast<const TV *>(p.v);
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t chunks = (L + Q - 1) / Q, pBlocks = ssdCeilDiv(P, T), nBlocks = ssdCeilDiv(N, T);
  int64_t id = blockIdx.x;
  const int64_t nb = id % nBlocks;
  id /= nBlocks;
  const int64_t pb = id % pBlocks;
  id /= pBlocks;
  const int64_t h = id % H;
  id /= H;
  const int64_t c = id % chunks, b = id / chunks;
  const int64_t c0 = c * Q, end = imin(L, c0 + Q), nTok = end - c0, g = h / (H / G);
  const int64_t p0 = pb * T, np = imin(T, P - p0), n0 = nb * T, nn = imin(T, N - n0);
  const Smem s = Smem::carve(smemd, Q < L ? Q : L, 0);
  const float last = p.cum[(b * L + end - 1) * H + h];
  for (int64_t t = threadIdx.x; t < nTok; t += blockDim.x)
    s.w[t] = decay(last - p.cum[(b * L + c0 + t) * H + h]);
  __syncthreads();
  stateTile(
      s, nTok,
      [&](int64_t t, int64_t n) {
        return Rows<TV>{vIn + ((b * L + c0 + t) * H + h) * P + p0, H * P, n, np};
      },
      [&](int64_t t, int64_t n) {
        return Rows<TK>{kIn + ((b * L + c0 + t) * G + g) * N + n0, G * N, n, nn};
      });
  float *out = p.states + ((b * chunks + c) * H + h) * P * N;
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    const int tp = (v / 16) * 4, tn = (v % 16) * 4;
    for (int q = 0; q < 4; ++q)
      for (int cc = 0; cc < 4; ++cc)
        if (tp + q < np && tn + cc < nn)
          out[(p0 + tp + q) * N + n0 + tn + cc] = s.acc[(q * 4 + cc) * NT + v];
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_STATE_CUH
