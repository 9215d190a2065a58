// The SSD operator as a recurrence (schedule `recurrent`): decode steps and
// multi-token scans. S_t = exp(dt_t A) S_{t-1} + dt_t x_t ⊗ B_t,
// y_t = S_t C_t + D x_t, with the dt processing inside. Near decay 1
// (dt·A > -0.5) the update is S + (expm1(dt·A) S + dt x B): exp(dt·A) rounded
// to fp32 next to 1 is off by up to 3e-8 per step, and over 4096 steps that
// reached 3.4e-5 relative on an H100 (docs/gpu_kernels_check.md); below, the
// plain a S + dt x B (the expm1 form would cancel S against -S there), as
// the CPU kernels do (codegen/cpu/generators/common.h, decayStep).
//
// Launch: ssdc/decode_launch.h (ssmRecurrentLaunch) gives grid, block and
// shared memory; the kernel recomputes the same geometry (ssmRecurrentGeom).
// Two paths:
//  - registers (N % 4 == 0, N <= 128: the decode case): the state of one
//    (batch, head) [P, N] f32 is spread over CTAs of `rows` head-dim rows
//    each; a row's N floats over `lanes` threads of one warp, 4 each
//    (16-byte, coalesced loads and stores straight from and to global
//    memory), 4 rows a thread. The state stays in registers for the whole
//    scan; y_t of a row is a warp-shuffle sum over its lanes. The
//    2.7b shape (80 heads, P 64, N 128) is 320 CTAs of 128 threads at b = 1.
//  - shared memory (other N): one 256-thread block per (batch, head), the
//    state in shared memory with rows padded to N + 1 floats (the y loop has
//    thread pi walk row pi: unpadded, all lanes of a warp hit one bank).
// Each state element is read and written by the thread that owns it, so the
// final state may alias the initial one.
#ifndef SSDC_CUDA_SSM_RECURRENT_CUH
#define SSDC_CUDA_SSM_RECURRENT_CUH

#include "common.cuh"
#include "ssdc/decode_launch.h"
#include "vec_io.cuh"

// (row, lane) slices one thread holds: the geometry's rows per thread; on
// the GPU all of a thread's slices have one lane, so B and C of a token are
// loaded once for them (LANE_SLICES 1). The kernel check's host emulation
// (one thread per block) holds a whole CTA's slices, each with its own lane.
#ifndef SSDC_CUDA_RECURRENT_MAX_SLICES
#define SSDC_CUDA_RECURRENT_MAX_SLICES SSDC_RECURRENT_ROWS_PER_THREAD
#define SSDC_CUDA_RECURRENT_LANE_SLICES 1
#endif

namespace ssdc {
namespace cuda {

/// 4 contiguous values of T at p as floats: one vector load when `vec`
/// (p aligned to 4·sizeof(T)), else 4 scalar loads.
template <typename T> __device__ __forceinline__ void load4(const T *p, bool vec, float (&o)[4]) {
  if (vec) {
    loadVec4(p, o);
  } else {
#pragma unroll
    for (int e = 0; e < 4; ++e)
      o[e] = float(p[e]);
  }
}

/// Sum of v over the `lanes` threads (aligned, power of two, within a warp)
/// that share a row; every one of them gets the sum. Called by all threads
/// of the CTA.
__device__ __forceinline__ float laneGroupSum(float v, int lanes) {
  for (int o = lanes / 2; o > 0; o >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmRecurrentRegs(const SsmParams &p, const SsmRecurrentGeom &g) {
  constexpr int KV = SSDC_CUDA_RECURRENT_MAX_SLICES;
  // B and C per slice (host emulation) or one set for all (the GPU).
  constexpr int KB = SSDC_CUDA_RECURRENT_LANE_SLICES;
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TX *xIn = static_cast<const TX *>(p.x);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *y = static_cast<TY *>(p.y);
  const int64_t P = p.headdim, N = p.dstate, L = p.len;
  // The CTA's (batch·head, row block) in 32-bit arithmetic (the grid is
  // below 2^31; 64-bit divisions were a visible part of a decode step).
  const unsigned H = unsigned(p.heads), G = unsigned(p.groups);
  const unsigned rowBlocks = (unsigned(P) + g.rows - 1) / unsigned(g.rows);
  const unsigned bh = blockIdx.x / rowBlocks, rb = blockIdx.x - bh * rowBlocks;
  const unsigned b = bh / H, h = bh - b * H, grp = h / (H / G);
  // Slices of this thread: v = threadIdx.x + k·blockDim.x over the CTA's
  // rows · lanes (row v / lanes, lane v % lanes); on the GPU kv =
  // rowsPerThread and every slice has the same lane (blockDim is a multiple
  // of lanes). Lane l owns elements 4l .. 4l + 3 of its row.
  const int lanes = g.lanes;
  const int kv = g.rows * lanes / int(blockDim.x);
  int row[KV], n0[KV];
  bool live[KV], chunk[KV];
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    const int v = int(threadIdx.x) + k * int(blockDim.x);
    row[k] = int(rb) * g.rows + (v >> g.laneShift);
    n0[k] = 4 * (v & (lanes - 1));
    live[k] = k < kv && row[k] < P;
    chunk[k] = live[k] && n0[k] < N;
  }
  using Addr = unsigned long long;
  const bool vecS =
      ((reinterpret_cast<Addr>(p.initState) | reinterpret_cast<Addr>(p.finalState)) % 16) == 0;
  const bool vecBC =
      ((reinterpret_cast<Addr>(Bin) | reinterpret_cast<Addr>(Cin)) % (4 * sizeof(TB))) == 0;
  const int64_t state0 = int64_t(bh) * P * N;  // this head's state [P, N]

  float s[KV][4];
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    if (chunk[k] && p.initState) {
      load4(p.initState + state0 + int64_t(row[k]) * N + n0[k], vecS, s[k]);
    } else {
#pragma unroll
      for (int e = 0; e < 4; ++e)
        s[k][e] = 0.0f;
    }
  }

  // One token's inputs: raw dt, x of each slice's row, B and C of each
  // lane's chunk (KB: one lane for all slices on the GPU, and a slice whose
  // row is past P has every later slice past it too).
  struct Tok {
    float dt, x[KV], B[KB][4], C[KB][4];
  };
  auto load = [&](int64_t t, Tok &o) {
    const int64_t bt = int64_t(b) * L + t;
    o.dt = float(dtIn[bt * H + h]);
    const TB *Bt = Bin + (bt * G + grp) * N, *Ct = Cin + (bt * G + grp) * N;
    const TX *xt = xIn + (bt * H + h) * P;
#pragma unroll
    for (int k = 0; k < KV; ++k)
      o.x[k] = live[k] ? float(xt[row[k]]) : 0.0f;
#pragma unroll
    for (int k = 0; k < KB; ++k) {
      if (chunk[k]) {
        load4(Bt + n0[k], vecBC, o.B[k]);
        load4(Ct + n0[k], vecBC, o.C[k]);
      } else {
#pragma unroll
        for (int e = 0; e < 4; ++e)
          o.B[k][e] = o.C[k][e] = 0.0f;
      }
    }
  };

  const float A = p.A[h];
  const float Dh = p.D ? p.D[h] : 0.0f;
  // (No prefetch of the next token's inputs: its registers cost occupancy
  // at L = 1, the case that matters; longer scans run chunked or quadratic.)
  Tok cur;
  for (int64_t t = 0; t < L; ++t) {
    load(t, cur);
    const float dt = processDt(cur.dt, p.dtBias, h, p.dtSoftplus, p.dtMin, p.dtMax);
    const float u = dt * A, a = expf(u), am1 = expm1f(u);
    const bool nearOne = u > -0.5f;
    float part[KV];
#pragma unroll
    for (int k = 0; k < KV; ++k) {
      const int kb = KB == 1 ? 0 : k;
      float acc = 0.0f;
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float add = dt * cur.x[k] * cur.B[kb][e];
        float &sv = s[k][e];
        sv = nearOne ? sv + (am1 * sv + add) : a * sv + add;
        acc += sv * cur.C[kb][e];
      }
      part[k] = acc;
    }
#if SSDC_CUDA_RECURRENT_LANE_SLICES > 1
    // The kernel check's host emulation (one thread per block): a row's
    // lanes are consecutive slices of this one thread.
    for (int k = 0; k + lanes <= kv; k += lanes) {
      float sum = 0.0f;
      for (int i = 0; i < lanes; ++i)
        sum += part[k + i];
      for (int i = 0; i < lanes; ++i)
        part[k + i] = sum;
    }
#else
#pragma unroll
    for (int k = 0; k < KV; ++k)
      if (k < kv)
        part[k] = laneGroupSum(part[k], lanes);
#endif
    TY *yt = y + ((int64_t(b) * L + t) * H + h) * P;
#pragma unroll
    for (int k = 0; k < KV; ++k)
      if (live[k] && n0[k] == 0) {
        float acc = part[k];
        if (p.D)
          acc += Dh * cur.x[k];
        yt[row[k]] = TY(acc);
      }
  }

  if (!p.finalState)
    return;
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    if (!chunk[k])
      continue;
    float *d = p.finalState + state0 + int64_t(row[k]) * N + n0[k];
    if (vecS) {
      *reinterpret_cast<float4 *>(d) = make_float4(s[k][0], s[k][1], s[k][2], s[k][3]);
    } else {
#pragma unroll
      for (int e = 0; e < 4; ++e)
        d[e] = s[k][e];
    }
  }
}

/// The shared-memory path (N > 128 or N % 4 != 0): one block per
/// (batch, head), ssmRecurrentSmemBytes of dynamic shared memory.
template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmRecurrentSmem(const SsmParams &p) {
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
  if (p.finalState)
    for (int64_t e = threadIdx.x; e < P * N; e += blockDim.x)
      p.finalState[(b * H + h) * P * N + e] = S[e / N * R + e % N];
}

template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmRecurrentKernel(const SsmParams &p) {
  const SsmRecurrentGeom g = ssmRecurrentGeom(p.headdim, p.dstate);
  if (g.registers)
    ssmRecurrentRegs<TX, TDT, TB, TY>(p, g);
  else
    ssmRecurrentSmem<TX, TDT, TB, TY>(p);
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSM_RECURRENT_CUH
