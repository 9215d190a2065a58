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
//  - registers (N <= 256, the decode case): the state of one (batch, head)
//    [P, N] f32 is spread over CTAs of `rows` head-dim rows each; a row's N
//    floats over `lanes` threads of one warp in chunks of 4 (16-byte,
//    coalesced loads and stores straight from and to global memory). The
//    state stays in registers for the whole scan; B, C, x and dt of the next
//    token are loaded while the current one is computed; y_t of a row is a
//    warp-shuffle sum over its lanes. At b = 1 the 2.7b shape (80 heads,
//    P 64, N 128) is 640 CTAs of 128 threads, each thread 2 rows × 4 floats.
//  - shared memory (N > 256): one 256-thread block per (batch, head), the
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
#define SSDC_CUDA_RECURRENT_MAX_SLICES 2
#define SSDC_CUDA_RECURRENT_LANE_SLICES 1
#endif

namespace ssdc {
namespace cuda {

/// V contiguous values of T at p as floats (V scalar loads); V = 4: one
/// vector load when `vec` (p aligned to 4·sizeof(T)).
template <int V, typename T> struct Chunk {
  __device__ __forceinline__ static void load(const T *p, bool, float (&o)[V]) {
#pragma unroll
    for (int e = 0; e < V; ++e)
      o[e] = float(p[e]);
  }
};
template <typename T> struct Chunk<4, T> {
  __device__ __forceinline__ static void load(const T *p, bool vec, float (&o)[4]) {
    if (vec) {
      loadVec4(p, o);
    } else {
#pragma unroll
      for (int e = 0; e < 4; ++e)
        o[e] = float(p[e]);
    }
  }
};

/// Sum of v over the `lanes` threads (aligned, power of two, within a warp)
/// that share a row; every one of them gets the sum. Called by all threads
/// of the CTA.
__device__ __forceinline__ float laneGroupSum(float v, int lanes) {
  for (int o = lanes / 2; o > 0; o >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <int V, int NJ, typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmRecurrentRegs(const SsmParams &p, const SsmRecurrentGeom &g) {
  constexpr int KV = SSDC_CUDA_RECURRENT_MAX_SLICES, E = V * NJ;
  // B and C per slice (host emulation) or one set for all (the GPU).
  constexpr int KB = SSDC_CUDA_RECURRENT_LANE_SLICES;
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TX *xIn = static_cast<const TX *>(p.x);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *y = static_cast<TY *>(p.y);
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const int lanes = g.lanes;
  const int64_t rowBlocks = (P + g.rows - 1) / g.rows;
  const int64_t bh = blockIdx.x / rowBlocks, rb = blockIdx.x % rowBlocks;
  const int64_t b = bh / H, h = bh % H, grp = h / (H / G);
  // Slices of this thread: v = threadIdx.x + k·blockDim.x over the CTA's
  // rows · lanes; on the GPU kv = rowsPerThread and every slice has the same
  // lane (blockDim is a multiple of lanes).
  const int kv = int(g.rows * lanes / int(blockDim.x));
  int64_t row[KV];
  int lane[KV];
  bool live[KV];
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    int v = int(threadIdx.x) + k * int(blockDim.x);
    row[k] = rb * g.rows + v / lanes;
    lane[k] = v % lanes;
    live[k] = k < kv && row[k] < P;
  }
  // element j·V + e of a slice is n = (j·lanes + lane)·V + e; chunks wholly
  // inside or outside [0, N) (V = 4 only when N % 4 == 0).
  auto chunkOk = [&](int k, int j) { return int64_t(j * lanes + lane[k]) * V < N; };
  auto nOf = [&](int k, int j) { return int64_t(j * lanes + lane[k]) * V; };
  using Addr = unsigned long long;
  const bool vecS =
      ((reinterpret_cast<Addr>(p.initState) | reinterpret_cast<Addr>(p.finalState)) % 16) == 0;
  const bool vecBC =
      ((reinterpret_cast<Addr>(Bin) | reinterpret_cast<Addr>(Cin)) % (V * sizeof(TB))) == 0;

  float s[KV][E];
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    const float *src =
        p.initState ? p.initState + ((b * H + h) * P + row[k]) * N : nullptr;
#pragma unroll
    for (int j = 0; j < NJ; ++j) {
      float c[V];
      if (live[k] && src && chunkOk(k, j))
        Chunk<V, float>::load(src + nOf(k, j), vecS, c);
      else
#pragma unroll
        for (int e = 0; e < V; ++e)
          c[e] = 0.0f;
#pragma unroll
      for (int e = 0; e < V; ++e)
        s[k][j * V + e] = c[e];
    }
  }

  // One token's inputs: raw dt, x of each slice's row, B and C of the
  // chunks of each lane (KB: one lane for all slices on the GPU; a slice
  // whose row is past P has every later slice past it too).
  struct Tok {
    float dt, x[KV], B[KB][E], C[KB][E];
  };
  auto load = [&](int64_t t, Tok &o) {
    o.dt = float(dtIn[(b * L + t) * H + h]);
    const TB *Bt = Bin + ((b * L + t) * G + grp) * N, *Ct = Cin + ((b * L + t) * G + grp) * N;
    const TX *xt = xIn + ((b * L + t) * H + h) * P;
#pragma unroll
    for (int k = 0; k < KV; ++k)
      o.x[k] = live[k] ? float(xt[row[k]]) : 0.0f;
#pragma unroll
    for (int k = 0; k < KB; ++k) {
#pragma unroll
      for (int j = 0; j < NJ; ++j) {
        float bc[V], cc[V];
        if (live[k] && chunkOk(k, j)) {
          Chunk<V, TB>::load(Bt + nOf(k, j), vecBC, bc);
          Chunk<V, TB>::load(Ct + nOf(k, j), vecBC, cc);
        } else {
#pragma unroll
          for (int e = 0; e < V; ++e)
            bc[e] = cc[e] = 0.0f;
        }
#pragma unroll
        for (int e = 0; e < V; ++e) {
          o.B[k][j * V + e] = bc[e];
          o.C[k][j * V + e] = cc[e];
        }
      }
    }
  };

  const float A = p.A[h];
  const float Dh = p.D ? p.D[h] : 0.0f;
  // The next token's inputs are loaded before this one's update (E <= 4:
  // the decode layout; wider slices load in turn, to stay near 64 registers).
  constexpr bool kPrefetch = E <= 4;
  Tok cur, nxt;
  if (L > 0)
    load(0, cur);
  for (int64_t t = 0; t < L; ++t) {
    if (kPrefetch && t + 1 < L)
      load(t + 1, nxt);
    else if (!kPrefetch && t > 0)
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
      for (int e = 0; e < E; ++e) {
        const float add = dt * cur.x[k] * cur.B[kb][e];
        float &sv = s[k][e];
        sv = nearOne ? sv + (am1 * sv + add) : a * sv + add;
        acc += sv * cur.C[kb][e];
      }
      part[k] = acc;
    }
    if (blockDim.x == 1) {
      // The kernel check's host emulation: a row's lanes are consecutive
      // slices of this one thread.
      for (int k = 0; k + lanes <= kv; k += lanes) {
        float sum = 0.0f;
        for (int i = 0; i < lanes; ++i)
          sum += part[k + i];
        for (int i = 0; i < lanes; ++i)
          part[k + i] = sum;
      }
    } else {
#pragma unroll
      for (int k = 0; k < KV; ++k)
        if (k < kv)
          part[k] = laneGroupSum(part[k], lanes);
    }
    TY *yt = y + ((b * L + t) * H + h) * P;
#pragma unroll
    for (int k = 0; k < KV; ++k)
      if (live[k] && lane[k] == 0) {
        float acc = part[k];
        if (p.D)
          acc += Dh * cur.x[k];
        yt[row[k]] = TY(acc);
      }
    if (kPrefetch && t + 1 < L)
      cur = nxt;
  }

  if (!p.finalState)
    return;
#pragma unroll
  for (int k = 0; k < KV; ++k) {
    if (!live[k])
      continue;
    float *dst = p.finalState + ((b * H + h) * P + row[k]) * N;
#pragma unroll
    for (int j = 0; j < NJ; ++j) {
      if (!chunkOk(k, j))
        continue;
      float *d = dst + nOf(k, j);
      if (V == 4 && vecS) {
        *reinterpret_cast<float4 *>(d) =
            make_float4(s[k][j * V], s[k][j * V + 1 % V], s[k][j * V + 2 % V],
                        s[k][j * V + 3 % V]);  // (% V: compiles for V = 1)
      } else {
#pragma unroll
        for (int e = 0; e < V; ++e)
          d[e] = s[k][j * V + e];
      }
    }
  }
}

/// The shared-memory path (N > kSsmRecurrentMaxRegN): one block per
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
  if (!g.registers)
    ssmRecurrentSmem<TX, TDT, TB, TY>(p);
  else if (g.vec == 4 && g.chunks == 1)
    ssmRecurrentRegs<4, 1, TX, TDT, TB, TY>(p, g);
  else if (g.vec == 4)
    ssmRecurrentRegs<4, 2, TX, TDT, TB, TY>(p, g);
  else if (g.chunks == 1)
    ssmRecurrentRegs<1, 1, TX, TDT, TB, TY>(p, g);
  else if (g.chunks == 2)
    ssmRecurrentRegs<1, 2, TX, TDT, TB, TY>(p, g);
  else if (g.chunks == 4)
    ssmRecurrentRegs<1, 4, TX, TDT, TB, TY>(p, g);
  else
    ssmRecurrentRegs<1, 8, TX, TDT, TB, TY>(p, g);
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSM_RECURRENT_CUH
