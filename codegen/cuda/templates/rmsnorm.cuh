// RMSNorm with an optional gate z, normalising each group of `group`
// channels separately (grouped gated norm of Mamba-2; group == d is the plain
// norm). norm_before_gate = false: gate first, then normalise (REFERENCE.md).
// Launch: ssdc/decode_launch.h (rmsnormLaunch): one CTA per (row, group) of
// at most 512 threads, each taking chunks of 8 channels (16-byte loads) in
// even shares (a 5120-wide group of a 2.7b decode step: 320 threads with two
// chunks each), 32 floats of dynamic shared memory. A thread keeps x·gate and
// the weights of its first kRmsnormCachedChunks chunks in registers (all
// loads issued before the reduction: one memory round trip) between the sum
// of squares and the output (wider groups read the rest again); the sum is
// reduced with warp shuffles.
#ifndef SSDC_CUDA_RMSNORM_CUH
#define SSDC_CUDA_RMSNORM_CUH

#include "common.cuh"
#include "ssdc/decode_launch.h"
#include "vec_io.cuh"

#ifndef SSDC_CUDA_RMSNORM_CACHED_CHUNKS
#define SSDC_CUDA_RMSNORM_CACHED_CHUNKS kRmsnormCachedChunks
#endif

namespace ssdc {
namespace cuda {

/// 8 values of T at p as floats: 16-byte loads when `vec` (p 16-byte
/// aligned), else the first `n` (<= 8) one by one (the rest 0).
template <typename T>
__device__ __forceinline__ void load8(const T *p, bool vec, int n, float (&o)[8]) {
  if (vec) {
    loadVec8(p, o);
  } else {
#pragma unroll
    for (int e = 0; e < 8; ++e)
      o[e] = e < n ? float(p[e]) : 0.0f;
  }
}

/// Stores the first n (<= 8) values of v as T at p; 16-byte stores when `vec`.
template <typename T>
__device__ __forceinline__ void store8(T *p, bool vec, int n, const float (&v)[8]) {
  if (vec) {
    storeVec8(p, v);
  } else {
#pragma unroll
    for (int e = 0; e < 8; ++e)
      if (e < n)
        p[e] = T(v[e]);
  }
}

/// Sum of v over the block; every thread gets it. `partial`: 32 floats.
__device__ __forceinline__ float blockSum(float v, float *partial) {
  if (blockDim.x == 1)
    return v;  // the kernel check's host emulation
  for (int o = 16; o > 0; o >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, o);
  const int warp = int(threadIdx.x) / 32, warps = (int(blockDim.x) + 31) / 32;
  if (threadIdx.x % 32 == 0)
    partial[warp] = v;
  __syncthreads();
  v = int(threadIdx.x) < warps ? partial[threadIdx.x] : 0.0f;
  if (threadIdx.x < 32)
    for (int o = 16; o > 0; o >>= 1)
      v += __shfl_xor_sync(0xffffffffu, v, o);
  if (threadIdx.x == 0)
    partial[0] = v;
  __syncthreads();
  return partial[0];
}

template <typename TX, typename TW, typename TZ, typename TY>
__device__ void rmsnormKernel(const RmsnormParams &p) {
  constexpr int CC = SSDC_CUDA_RMSNORM_CACHED_CHUNKS;
  const TW *w = static_cast<const TW *>(p.w);
  extern __shared__ float partial[];
  // (row, group) of this CTA in 32-bit arithmetic (the grid is below 2^31).
  const unsigned groups = unsigned(p.d / p.group);
  const unsigned rowU = blockIdx.x / groups;
  const int64_t row = rowU, g0 = int64_t(blockIdx.x - rowU * groups) * p.group;
  const TX *x = static_cast<const TX *>(p.x) + row * p.d + g0;
  // z may be a column range of a wider row (zRow apart), read in place.
  const TZ *z = p.z ? static_cast<const TZ *>(p.z) + row * (p.zRow ? p.zRow : p.d) + g0
                    : nullptr;
  TY *y = static_cast<TY *>(p.y) + row * p.d + g0;
  const TW *wg = w + g0;
  const bool gateFirst = z && !p.normBeforeGate;
  using Addr = unsigned long long;
  // 16-byte accesses for every full chunk: chunk starts are multiples of 8
  // elements from 16-byte aligned bases.
  const bool vec = p.group % 8 == 0 &&
                   ((reinterpret_cast<Addr>(x) | reinterpret_cast<Addr>(z) |
                     reinterpret_cast<Addr>(y) | reinterpret_cast<Addr>(wg)) % 16) == 0;
  const int64_t chunks = (p.group + 7) / 8;
  // x and the gate (1 without z) of chunk c.
  auto values = [&](int64_t c, float (&xv)[8], float (&gv)[8]) {
    int n = int(p.group - c * 8 < 8 ? p.group - c * 8 : 8);
    load8(x + c * 8, vec && n == 8, n, xv);
    if (z) {
      float zv[8];
      load8(z + c * 8, vec && n == 8, n, zv);
#pragma unroll
      for (int e = 0; e < 8; ++e)
        gv[e] = siluf(zv[e]);
    } else {
#pragma unroll
      for (int e = 0; e < 8; ++e)
        gv[e] = 1.0f;
    }
  };
  // Sum of squares of chunk c's (gated) x; xg = x·gate, what the output
  // scales (the order of the original x·gate·inv·w).
  float ss = 0.0f;
  auto squares = [&](int64_t c, float (&xg)[8]) {
    float xv[8], gv[8];
    values(c, xv, gv);
#pragma unroll
    for (int e = 0; e < 8; ++e) {
      float u = gateFirst ? xv[e] * gv[e] : xv[e];
      ss += u * u;  // a tail chunk's missing elements are 0
      xg[e] = xv[e] * gv[e];
    }
  };
  auto weights = [&](int64_t c, float (&wv)[8]) {
    int n = int(p.group - c * 8 < 8 ? p.group - c * 8 : 8);
    load8(wg + c * 8, vec && n == 8, n, wv);
  };
  // Chunk threadIdx.x + i·blockDim.x: the first CC kept in registers with
  // their weights (unrolled: x, z and w loads in flight together, before the
  // reduction's barriers), any further ones read twice.
  float xc[CC][8], wc[CC][8];
#pragma unroll
  for (int i = 0; i < CC; ++i) {
    int64_t c = threadIdx.x + int64_t(i) * blockDim.x;
    if (c < chunks) {
      weights(c, wc[i]);
      squares(c, xc[i]);
    }
  }
  for (int64_t c = threadIdx.x + int64_t(CC) * blockDim.x; c < chunks; c += blockDim.x) {
    float xg[8];
    squares(c, xg);
  }
  const float inv = rsqrtf(blockSum(ss, partial) / float(p.group) + p.eps);
  auto output = [&](int64_t c, const float (&xg)[8], const float (&wv)[8]) {
    int n = int(p.group - c * 8 < 8 ? p.group - c * 8 : 8);
    float out[8];
#pragma unroll
    for (int e = 0; e < 8; ++e)
      out[e] = xg[e] * inv * wv[e];
    store8(y + c * 8, vec && n == 8, n, out);
  };
#pragma unroll
  for (int i = 0; i < CC; ++i) {
    int64_t c = threadIdx.x + int64_t(i) * blockDim.x;
    if (c < chunks)
      output(c, xc[i], wc[i]);
  }
  for (int64_t c = threadIdx.x + int64_t(CC) * blockDim.x; c < chunks; c += blockDim.x) {
    float xv[8], gv[8], xg[8], wv[8];
    values(c, xv, gv);
    weights(c, wv);
#pragma unroll
    for (int e = 0; e < 8; ++e)
      xg[e] = xv[e] * gv[e];
    output(c, xg, wv);
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_RMSNORM_CUH
