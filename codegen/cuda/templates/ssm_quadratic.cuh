// The SSD operator in its quadratic (attention) form, schedule `quadratic`:
// y_i = Σ_{j≤i} exp(cum_i − cum_j) (C_i·B_j) dt_j x_j + exp(cum_i) C_i·S_0
//       + D x_i, and the final state
// S_L = exp(cum_L) S_0 + Σ_j exp(cum_L − cum_j) dt_j x_j ⊗ B_j.
//
// Tiled (ssdc/ssd_staged_launch.h has the grid, block and shared memory):
// a y CTA owns 64 output rows i × 64 head-dim columns p of one (batch,
// head); for each 64-token tile j ≤ its rows it computes the scores
// C_i·B_j once in shared memory (4 × 4 per thread, the state dimension N in
// slices of 64), masks them to j ≤ i, multiplies by exp(cum_i − cum_j)·dt_j
// (the difference clamped at ≤ 0), and accumulates scores · x_j. A state CTA
// owns a 64 × 64 block of the final state and reduces over all tokens. The
// cumulative log decay is kept in double (a block-parallel scan): decays
// are differences of two long running sums whose fp32 rounding (|cum|·2⁻²⁴)
// would otherwise dominate the error at real sizes (mamba2-130m logits were
// 1.1e-4 from float64 with an fp32 cumsum). fp32 math throughout.
//
// The tile routines below are shared with chunk_output.cuh (the same y
// tiles within a chunk) and chunk_state.cuh (the state tiles per chunk).
// Every per-thread loop runs over the 256 "virtual threads" strided by
// blockDim.x and keeps its accumulators in shared memory between tile
// steps, so the kernels are also correct with one thread per block (the
// kernel check's host emulation).
#ifndef SSDC_CUDA_SSM_QUADRATIC_CUH
#define SSDC_CUDA_SSM_QUADRATIC_CUH

#include "common.cuh"
#include "ssdc/ssd_staged_launch.h"

namespace ssdc {
namespace cuda {
namespace tile {

constexpr int T = kSsdTile;
constexpr int S = kSsdTileStride;
constexpr int NT = kSsdTileThreads;

__device__ __forceinline__ int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

/// A row-major matrix slice: element (r, c) at ptr[r·stride + c]; rows ×
/// cols valid (reads outside are zero).
template <typename E> struct Rows {
  const E *ptr;
  int64_t stride;
  int64_t rows, cols;
  __device__ __forceinline__ float at(int64_t r, int64_t c) const {
    return (r < rows && c < cols) ? float(ptr[r * stride + c]) : 0.0f;
  }
};

/// The shared-memory regions of a CTA (ssd_staged_launch.h, SsdTileSmem).
struct Smem {
  double *cum;    ///< [tokens] cumulative log decay
  double *parts;  ///< [2][256] scan partials
  float *w;       ///< [tokens] dt (quadratic) or the state weights
  float *a;       ///< [⌈N/64⌉·64][68] resident C rows, k-major
  float *b, *m, *x;  ///< 64 × 68 tiles
  float *acc;     ///< [16][256] accumulators
  __device__ static Smem carve(void *base, int64_t tokens, int64_t dstate) {
    SsdTileSmem l{tokens, dstate};
    char *c = static_cast<char *>(base);
    Smem s;
    s.cum = reinterpret_cast<double *>(c + l.cum());
    s.parts = reinterpret_cast<double *>(c + l.parts());
    s.w = reinterpret_cast<float *>(c + l.w());
    s.a = reinterpret_cast<float *>(c + l.a());
    s.b = reinterpret_cast<float *>(c + l.tile(0));
    s.m = reinterpret_cast<float *>(c + l.tile(1));
    s.x = reinterpret_cast<float *>(c + l.tile(2));
    s.acc = reinterpret_cast<float *>(c + l.acc());
    return s;
  }
};

/// cum[t] = Σ_{s≤t} w[s]·a in double for t < n (w already in shared
/// memory): each of the 256 threads sums a contiguous segment, a
/// Hillis–Steele scan over the 256 segment totals, then the offsets.
__device__ inline void scanDouble(const Smem &s, int64_t n, double a) {
  const int64_t seg = (n + NT - 1) / NT;
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    double run = 0.0;
    for (int64_t t = v * seg; t < imin(n, (v + 1) * seg); ++t) {
      run += double(s.w[t]) * a;
      s.cum[t] = run;
    }
    s.parts[v] = run;
  }
  __syncthreads();
  double *in = s.parts, *out = s.parts + NT;
  for (int d = 1; d < NT; d *= 2) {
    for (int v = threadIdx.x; v < NT; v += blockDim.x)
      out[v] = in[v] + (v >= d ? in[v - d] : 0.0);
    __syncthreads();
    double *t = in;
    in = out;
    out = t;
  }
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    double off = v > 0 ? in[v - 1] : 0.0;
    for (int64_t t = v * seg; t < imin(n, (v + 1) * seg); ++t)
      s.cum[t] += off;
  }
  __syncthreads();
}

/// Stages the 64 × 64 slice of M at columns c0.. into dst, transposed
/// (dst[c·S + r]) or not (dst[r·S + c]), each row r scaled by rowScale[r]
/// when given (zero outside M). Every thread issues kStage loads before its
/// shared stores, so they are in flight together (a load-then-store loop
/// waits out one global-memory latency per element). Caller synchronises.
constexpr int kStage = 16;
template <bool Transposed, typename E>
__device__ inline void stage(float *dst, const Rows<E> &M, int64_t c0,
                             const float *rowScale = nullptr) {
  for (int base = threadIdx.x; base < T * T; base += kStage * blockDim.x) {
    float r[kStage];
#pragma unroll
    for (int u = 0; u < kStage; ++u) {
      const int e = base + u * int(blockDim.x);
      r[u] = e < T * T ? M.at(e / T, c0 + e % T) : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < kStage; ++u) {
      const int e = base + u * int(blockDim.x);
      if (e < T * T) {
        const int rr = e / T, cc = e % T;
        const float v = rowScale && rr < M.rows ? rowScale[rr] * r[u] : r[u];
        dst[Transposed ? cc * S + rr : rr * S + cc] = v;
      }
    }
  }
}

/// m[j][i] = Σ_n A(i, n) · Bm(j, n) for the 64 × 64 tile, A resident in
/// s.a (k-major over all N), Bm staged in slices of 64 of N; thread v owns
/// i = 4·(v / 16) + 0..3, j = 4·(v % 16) + 0..3.
template <typename EB>
__device__ inline void scores(const Smem &s, const Rows<EB> &Bm, int64_t N) {
  for (int64_t k0 = 0; k0 < N; k0 += T) {
    __syncthreads();  // b free, m's previous slice done
    stage<true>(s.b, Bm, k0);
    __syncthreads();
    const int kk = int(imin(T, N - k0));
    const float *a = s.a + k0 * S;
    for (int v = threadIdx.x; v < NT; v += blockDim.x) {
      const int ti = (v / 16) * 4, tj = (v % 16) * 4;
      float acc[4][4];
      for (int c = 0; c < 4; ++c) {
        if (k0 == 0) {
          for (int q = 0; q < 4; ++q)
            acc[q][c] = 0.0f;
        } else {
          float4 old = *reinterpret_cast<const float4 *>(s.m + (tj + c) * S + ti);
          acc[0][c] = old.x, acc[1][c] = old.y, acc[2][c] = old.z, acc[3][c] = old.w;
        }
      }
#pragma unroll 4
      for (int k = 0; k < kk; ++k) {
        float4 av = *reinterpret_cast<const float4 *>(a + k * S + ti);
        float4 bv = *reinterpret_cast<const float4 *>(s.b + k * S + tj);
        float ar[4] = {av.x, av.y, av.z, av.w}, br[4] = {bv.x, bv.y, bv.z, bv.w};
        for (int q = 0; q < 4; ++q)
          for (int c = 0; c < 4; ++c)
            acc[q][c] += ar[q] * br[c];
      }
      for (int c = 0; c < 4; ++c)
        *reinterpret_cast<float4 *>(s.m + (tj + c) * S + ti) =
            make_float4(acc[0][c], acc[1][c], acc[2][c], acc[3][c]);
    }
  }
}

/// The y tile of rows [i0, i1) (absolute tokens) × head-dim columns of `X`'s
/// block: y = D·skip + exp(cum_i)·C_i·R_p (R: the incoming state, rows p,
/// optional) + Σ_{j0 ≤ j ≤ i} exp(cum_i − cum_j)·w_j·(C_i·B_j)·x_j.
/// cum and w (w optional: 1 when null) are indexed from token j0 in shared
/// memory; Crow/Brow/Xrow give the row slices starting at a token.
template <typename TC, typename TSk, typename TY, typename FC, typename FB, typename FX>
__device__ inline void yTile(const Smem &s, int64_t i0, int64_t i1, int64_t j0, bool useW,
                             int64_t N, int64_t np, FC Crow, FB Brow, FX Xrow,
                             const float *R, int64_t rStride, const float *D,
                             Rows<TSk> skip, TY *y, int64_t yStride) {
  const int64_t ni = i1 - i0;
  const Rows<TC> Ci = Crow(i0, ni);
  // C rows resident over all of N (k-major), for every score tile below
  // (scores() synchronises before reading them).
  for (int64_t k0 = 0; k0 < N; k0 += T)
    stage<true>(s.a + k0 * S, Ci, k0);
  // Accumulators: D·skip, plus the incoming state's contribution.
  if (R) {
    scores(s, Rows<float>{R, rStride, np, N}, N);
    __syncthreads();
  }
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    const int ti = (v / 16) * 4, tp = (v % 16) * 4;
    for (int q = 0; q < 4; ++q) {
      const int64_t i = ti + q;
      float di = i < ni ? decay(float(s.cum[i0 + i - j0])) : 0.0f;
      for (int c = 0; c < 4; ++c) {
        float v0 = D ? D[0] * skip.at(i, tp + c) : 0.0f;
        if (R)
          v0 += di * s.m[(tp + c) * S + ti + q];
        s.acc[(q * 4 + c) * NT + v] = v0;
      }
    }
  }
  for (int64_t jt = j0; jt < i1; jt += T) {
    const int64_t nj = imin(T, i1 - jt);
    scores(s, Brow(jt, nj), N);
    // Mask and decay; the same thread wrote these elements.
    for (int v = threadIdx.x; v < NT; v += blockDim.x) {
      const int ti = (v / 16) * 4, tj = (v % 16) * 4;
      for (int c = 0; c < 4; ++c) {
        const int64_t j = jt + tj + c;
        float *row = s.m + (tj + c) * S + ti;
        const double cj = tj + c < nj ? s.cum[j - j0] : 0.0;
        const float wj = tj + c < nj ? (useW ? s.w[j - j0] : 1.0f) : 0.0f;
        for (int q = 0; q < 4; ++q) {
          const int64_t i = i0 + ti + q;
          row[q] = (ti + q < ni && tj + c < nj && j <= i)
                       ? row[q] * decay(float(s.cum[i - j0] - cj)) * wj
                       : 0.0f;
        }
      }
    }
    stage<false>(s.x, Xrow(jt, nj), 0);
    __syncthreads();
    for (int v = threadIdx.x; v < NT; v += blockDim.x) {
      const int ti = (v / 16) * 4, tp = (v % 16) * 4;
      float acc[4][4];
      for (int q = 0; q < 4; ++q)
        for (int c = 0; c < 4; ++c)
          acc[q][c] = s.acc[(q * 4 + c) * NT + v];
#pragma unroll 4
      for (int j = 0; j < int(nj); ++j) {
        float4 mv = *reinterpret_cast<const float4 *>(s.m + j * S + ti);
        float4 xv = *reinterpret_cast<const float4 *>(s.x + j * S + tp);
        float mr[4] = {mv.x, mv.y, mv.z, mv.w}, xr[4] = {xv.x, xv.y, xv.z, xv.w};
        for (int q = 0; q < 4; ++q)
          for (int c = 0; c < 4; ++c)
            acc[q][c] += mr[q] * xr[c];
      }
      for (int q = 0; q < 4; ++q)
        for (int c = 0; c < 4; ++c)
          s.acc[(q * 4 + c) * NT + v] = acc[q][c];
    }
  }
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    const int ti = (v / 16) * 4, tp = (v % 16) * 4;
    for (int q = 0; q < 4; ++q)
      for (int c = 0; c < 4; ++c)
        if (ti + q < ni && tp + c < np)
          y[(ti + q) * yStride + tp + c] = TY(s.acc[(q * 4 + c) * NT + v]);
  }
}

/// A state tile: out(p, n) = Σ_{t < n_tok} w_t · X(t, p) · K(t, n) (w in
/// shared memory, s.w) for 64 × 64 (p, n), left in s.acc (thread v owns
/// p = 4·(v / 16) + 0..3, n = 4·(v % 16) + 0..3). Tokens in tiles of 64,
/// staged token-major in x and b.
template <typename FX, typename FK>
__device__ inline void stateTile(const Smem &s, int64_t nTok, FX Xrow, FK Krow) {
  for (int v = threadIdx.x; v < NT; v += blockDim.x)
    for (int q = 0; q < 16; ++q)
      s.acc[q * NT + v] = 0.0f;
  for (int64_t t0 = 0; t0 < nTok; t0 += T) {
    const int64_t nt = imin(T, nTok - t0);
    const auto X = Xrow(t0, nt);
    const auto K = Krow(t0, nt);
    __syncthreads();
    stage<false>(s.x, X, 0);
    stage<false>(s.b, K, 0, s.w + t0);
    __syncthreads();
    for (int v = threadIdx.x; v < NT; v += blockDim.x) {
      const int tp = (v / 16) * 4, tn = (v % 16) * 4;
      float acc[4][4];
      for (int q = 0; q < 4; ++q)
        for (int c = 0; c < 4; ++c)
          acc[q][c] = s.acc[(q * 4 + c) * NT + v];
#pragma unroll 4
      for (int t = 0; t < int(nt); ++t) {
        float4 xv = *reinterpret_cast<const float4 *>(s.x + t * S + tp);
        float4 kv = *reinterpret_cast<const float4 *>(s.b + t * S + tn);
        float xr[4] = {xv.x, xv.y, xv.z, xv.w}, kr[4] = {kv.x, kv.y, kv.z, kv.w};
        for (int q = 0; q < 4; ++q)
          for (int c = 0; c < 4; ++c)
            acc[q][c] += xr[q] * kr[c];
      }
      for (int q = 0; q < 4; ++q)
        for (int c = 0; c < 4; ++c)
          s.acc[(q * 4 + c) * NT + v] = acc[q][c];
    }
  }
}

} // namespace tile

template <typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmQuadraticKernel(const SsmParams &p) {
  using namespace tile;
  const TX *xIn = static_cast<const TX *>(p.x);
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *y = static_cast<TY *>(p.y);
  extern __shared__ __align__(16) double smemd[];
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, G = p.groups, L = p.len;
  const QuadraticGrid grid = quadraticGrid(p.batch, L, H, P, N);
  int64_t id = blockIdx.x;
  const bool stateCta = id >= grid.yCtas;
  int64_t b, h, pb, blk;  // blk: row block (y) or state block (n)
  if (!stateCta) {
    const int64_t per = p.batch * H * grid.pBlocks;
    blk = grid.rowBlocks - 1 - id / per;  // longest rows first
    id %= per;
  } else {
    id -= grid.yCtas;
    blk = id % grid.nBlocks;
    id /= grid.nBlocks;
  }
  pb = id % grid.pBlocks;
  id /= grid.pBlocks;
  h = id % H;
  b = id / H;
  const int64_t g = h / (H / G), p0 = pb * T, np = imin(T, P - p0);
  // Tokens this CTA needs the cumsum of: its rows' prefix (y), all (state).
  const int64_t i0 = stateCta ? 0 : blk * T, i1 = stateCta ? L : imin(L, i0 + T);
  const Smem s = Smem::carve(smemd, L, N);
  for (int64_t t = threadIdx.x; t < i1; t += blockDim.x)
    s.w[t] = processDt(float(dtIn[(b * L + t) * H + h]), p.dtBias, h, p.dtSoftplus,
                       p.dtMin, p.dtMax);
  __syncthreads();
  scanDouble(s, i1, double(p.A[h]));
  const float *S0 = p.initState ? p.initState + (b * H + h) * P * N : nullptr;
  auto Brow = [&](int64_t t, int64_t n) {
    return Rows<TB>{Bin + ((b * L + t) * G + g) * N, G * N, n, N};
  };
  auto Xrow = [&](int64_t t, int64_t n) {
    return Rows<TX>{xIn + ((b * L + t) * H + h) * P + p0, H * P, n, np};
  };
  if (!stateCta) {
    auto Crow = [&](int64_t t, int64_t n) {
      return Rows<TB>{Cin + ((b * L + t) * G + g) * N, G * N, n, N};
    };
    yTile<TB, TX>(s, i0, i1, 0, true, N, np, Crow, Brow, Xrow,
                      S0 ? S0 + p0 * N : nullptr, N, p.D ? p.D + h : nullptr,
                      Xrow(i0, i1 - i0), y + ((b * L + i0) * H + h) * P + p0, H * P);
    return;
  }
  // Final state: weights exp(cum_L − cum_j)·dt_j, then Σ_j w_j x_j ⊗ B_j.
  const int64_t n0 = blk * T, nn = imin(T, N - n0);
  const double last = s.cum[L - 1];
  for (int64_t t = threadIdx.x; t < L; t += blockDim.x)
    s.w[t] = decay(float(last - s.cum[t])) * s.w[t];
  __syncthreads();
  stateTile(s, L, Xrow, [&](int64_t t, int64_t n) {
    return Rows<TB>{Bin + ((b * L + t) * G + g) * N + n0, G * N, n, nn};
  });
  __syncthreads();
  const float dl = decay(float(last));
  float *out = p.finalState + (b * H + h) * P * N;
  for (int v = threadIdx.x; v < NT; v += blockDim.x) {
    const int tp = (v / 16) * 4, tn = (v % 16) * 4;
    for (int q = 0; q < 4; ++q)
      for (int c = 0; c < 4; ++c)
        if (tp + q < np && tn + c < nn) {
          const int64_t e = (p0 + tp + q) * N + n0 + tn + c;
          out[e] = s.acc[(q * 4 + c) * NT + v] + (S0 ? dl * S0[e] : 0.0f);
        }
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSM_QUADRATIC_CUH
