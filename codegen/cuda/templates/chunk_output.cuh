// ssd.chunk_output: y[b,i,h,p] = Σ_{j ≤ i in i's chunk} exp(cum_i − cum_j)
// (q_i·k_j) v[j,p] + exp(cum_i) q_i·prev[chunk(i), p, :] (+ D·x, the fused
// skip). Tiled as the quadratic kernel's y tiles (ssm_quadratic.cuh): one
// CTA per (64-row block of a chunk, batch, chunk, head, 64 head-dim
// columns); the scores q_i·k_j of a 64 × 64 tile are computed once in shared
// memory and reused for every p. Grid, block and shared memory:
// ssdc/ssd_staged_launch.h, chunkOutputLaunch.
#ifndef SSDC_CUDA_CHUNK_OUTPUT_CUH
#define SSDC_CUDA_CHUNK_OUTPUT_CUH

#include "common.cuh"
#include "ssm_quadratic.cuh"
#include "ssdc/ssd_staged_launch.h"

namespace ssdc {
namespace cuda {

template <int Q, typename TQ, typename TV, typename TS, typename TY>
__device__ void chunkOutputKernel(const ChunkOutputParams &p) {
  using namespace tile;
  extern __shared__ __align__(16) double smemd[];
  const TQ *qIn = static_cast<const TQ *>(p.q), *kIn = static_cast<const TQ *>(p.k);
  const TV *vIn = static_cast<const TV *>(p.v);
  const TS *skipX = static_cast<const TS *>(p.skipX);
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int64_t chunks = (L + Q - 1) / Q, pBlocks = ssdCeilDiv(P, T);
  const int64_t per = p.batch * chunks * H * pBlocks;
  int64_t id = blockIdx.x;
  const int64_t r = chunkRowBlocks(Q, L) - 1 - id / per;  // longest rows first
  id %= per;
  const int64_t pb = id % pBlocks;
  id /= pBlocks;
  const int64_t h = id % H;
  id /= H;
  const int64_t c = id % chunks, b = id / chunks;
  const int64_t c0 = c * Q, cEnd = imin(L, c0 + Q), i0 = c0 + r * T;
  if (i0 >= cEnd)
    return;  // a row block past a short last chunk (the whole CTA)
  const int64_t i1 = imin(i0 + T, cEnd), g = h / (H / G), p0 = pb * T, np = imin(T, P - p0);
  const Smem s = Smem::carve(smemd, Q < L ? Q : L, N);
  for (int64_t t = threadIdx.x; t < i1 - c0; t += blockDim.x)
    s.cum[t] = double(p.cum[(b * L + c0 + t) * H + h]);
  __syncthreads();
  auto Crow = [&](int64_t t, int64_t n) {
    return Rows<TQ>{qIn + ((b * L + t) * G + g) * N, G * N, n, N};
  };
  auto Brow = [&](int64_t t, int64_t n) {
    return Rows<TQ>{kIn + ((b * L + t) * G + g) * N, G * N, n, N};
  };
  auto Xrow = [&](int64_t t, int64_t n) {
    return Rows<TV>{vIn + ((b * L + t) * H + h) * P + p0, H * P, n, np};
  };
  const bool skip = skipX && p.D;
  yTile<TQ, TS>(s, i0, i1, c0, false, N, np, Crow, Brow, Xrow,
                p.prev + (((b * chunks + c) * H + h) * P + p0) * N, N,
                skip ? p.D + h : nullptr,
                Rows<TS>{skip ? skipX + ((b * L + i0) * H + h) * P + p0 : nullptr, H * P,
                         i1 - i0, np},
                static_cast<TY *>(p.y) + ((b * L + i0) * H + h) * P + p0, H * P);
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_OUTPUT_CUH
