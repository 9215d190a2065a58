// Causal softmax attention with grouped-query heads, neox RoPE and a KV cache
// (ssd.attention, schedule quadratic), as two kernels on AttentionParams:
//
//   attentionCacheKernel  keys/values [b, s+l, hk, ·] = the past rows, then
//                         this call's k (rotated at positions s..s+l-1) and v.
//                         Launch: 1-D grid-stride over b·(s+l)·hk·(d+dv).
//   attentionKernel<D, DV> y[b, l, hq, dv] from q (rotated at s+t) and the
//                         keys/values the cache kernel wrote. Online softmax
//                         (running max and sum per row, FlashAttention's
//                         recurrence), fp32 throughout.
//                         Launch: AttentionParams::kThreads threads; one block
//                         per (batch, kv head, tile of kRows query rows), a row being
//                         one (position, query head of the kv head's group),
//                         so the G = hq/hk heads that share a kv head read
//                         each K/V tile once (decode: the group's G heads fill
//                         one tile); dynamic shared memory as cuda_params.h
//                         gives it (its layout is below; LaunchAttention.cpp
//                         computes the same).
//
// RoPE angles are pos·theta^(-2i/rot) in double and the rotation is done in
// double before rounding (as the CPU executor and the float64 reference do:
// an fp32 angle at position 4096 is off by ~2e-4 rad).
#ifndef SSDC_CUDA_ATTENTION_CUH
#define SSDC_CUDA_ATTENTION_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

/// Channel c of vector x (headdim channels) after neox RoPE of its first
/// `rot` channels (pairs i, i + rot/2) at position `pos`.
template <typename T>
__device__ __forceinline__ float ropeChannel(const T *x, int64_t c, int64_t rot,
                                             int64_t pos, double theta) {
  const int64_t half = rot / 2;
  if (c >= 2 * half)
    return float(x[c]);
  const int64_t i = c < half ? c : c - half;
  const double angle =
      double(pos) * pow(theta, -2.0 * double(i) / double(rot));
  double s, co;
  sincos(angle, &s, &co);
  const double a = float(x[i]), b = float(x[i + half]);
  return float(c < half ? a * co - b * s : b * co + a * s);
}

template <typename TQ, typename TC>
__device__ void attentionCacheKernel(const AttentionParams &p) {
  const TQ *k = static_cast<const TQ *>(p.k), *v = static_cast<const TQ *>(p.v);
  const TC *pastK = static_cast<const TC *>(p.pastK),
           *pastV = static_cast<const TC *>(p.pastV);
  TC *keys = static_cast<TC *>(p.keys), *values = static_cast<TC *>(p.values);
  const int64_t S = p.past, L = p.len, T = S + L, HK = p.kvHeads, D = p.headdim,
                DV = p.vHeaddim, W = D + DV;
  const int64_t n = p.batch * T * HK * W;
  for (int64_t e = globalIndex(); e < n; e += globalStride()) {
    const int64_t c = e % W, r = e / W;  // r = (b·T + t)·HK + h
    const int64_t h = r % HK, t = (r / HK) % T, b = r / (HK * T);
    if (c < D) {
      if (t < S)
        keys[r * D + c] = pastK[((b * S + t) * HK + h) * D + c];
      else
        keys[r * D + c] =
            TC(ropeChannel(k + ((b * L + t - S) * HK + h) * D, c, p.rotaryDim, t,
                           p.ropeTheta));
    } else {
      const int64_t cv = c - D;
      if (t < S)
        values[r * DV + cv] = pastV[((b * S + t) * HK + h) * DV + cv];
      else
        values[r * DV + cv] = TC(float(v[((b * L + t - S) * HK + h) * DV + cv]));
    }
  }
}

template <int D, int DV, typename TQ, typename TC, typename TY>
__device__ void attentionKernel(const AttentionParams &p) {
  constexpr int R = AttentionParams::kRows, K = AttentionParams::kKeys,
                NT = AttentionParams::kThreads;
  constexpr int KD = D + 1;  // padded K rows: the score loop reads column c of 32 rows
  constexpr int PER = (R * DV + NT - 1) / NT;  // output elements per thread
  extern __shared__ float smem[];
  float *Qs = smem;             // [R][D] rotated queries
  float *Ks = Qs + R * D;       // [K][D + 1]
  float *Vs = Ks + K * KD;      // [K][DV]
  float *P = Vs + K * DV;       // [R][K] scores, then weights
  float *rowMax = P + R * K, *rowSum = rowMax + R, *rowScale = rowSum + R;
  const float negInf = __int_as_float(0xff800000);

  const TQ *q = static_cast<const TQ *>(p.q);
  const TC *keys = static_cast<const TC *>(p.keys), *values = static_cast<const TC *>(p.values);
  TY *y = static_cast<TY *>(p.y);
  const int64_t HQ = p.qHeads, HK = p.kvHeads, G = HQ / HK, L = p.len, S = p.past,
                T = S + L;
  const int64_t rows = L * G, tiles = (rows + R - 1) / R;
  const int64_t tile = blockIdx.x % tiles, kvh = (blockIdx.x / tiles) % HK,
                b = blockIdx.x / (tiles * HK);
  const int64_t row0 = tile * R;
  const int tid = threadIdx.x;

  for (int e = tid; e < R * D; e += NT) {
    const int r = e / D, c = e % D;
    const int64_t row = row0 + r;
    float val = 0.0f;
    if (row < rows) {
      const int64_t t = row / G, h = kvh * G + row % G;
      val = ropeChannel(q + ((b * L + t) * HQ + h) * D, c, p.rotaryDim, S + t,
                        p.ropeTheta);
    }
    Qs[e] = val;
  }
  if (tid < R) {
    rowMax[tid] = negInf;
    rowSum[tid] = 0.0f;
  }
  float acc[PER];
#pragma unroll
  for (int i = 0; i < PER; ++i)
    acc[i] = 0.0f;
  // Keys [0, keyEnd) are visible to some row of the tile.
  const int64_t lastRow = (row0 + R < rows ? row0 + R : rows) - 1;
  const int64_t keyEnd = S + lastRow / G + 1;
  __syncthreads();

  for (int64_t j0 = 0; j0 < keyEnd; j0 += K) {
    for (int e = tid; e < K * D; e += NT) {
      const int j = e / D, c = e % D;
      const int64_t jj = j0 + j;
      Ks[j * KD + c] = jj < keyEnd ? float(keys[((b * T + jj) * HK + kvh) * D + c]) : 0.0f;
    }
    for (int e = tid; e < K * DV; e += NT) {
      const int j = e / DV, c = e % DV;
      const int64_t jj = j0 + j;
      Vs[e] = jj < keyEnd ? float(values[((b * T + jj) * HK + kvh) * DV + c]) : 0.0f;
    }
    __syncthreads();
    for (int e = tid; e < R * K; e += NT) {
      const int r = e / K, j = e % K;
      const int64_t row = row0 + r, jj = j0 + j;
      float score = negInf;
      if (row < rows && jj <= S + row / G) {
        float dot = 0.0f;
#pragma unroll 8
        for (int c = 0; c < D; ++c)
          dot += Qs[r * D + c] * Ks[j * KD + c];
        score = dot * p.scale;
      }
      P[e] = score;
    }
    __syncthreads();
    if (tid < R) {
      const float m = rowMax[tid];
      float mt = m;
      for (int j = 0; j < K; ++j)
        mt = fmaxf(mt, P[tid * K + j]);
      float alpha = 1.0f, sum = 0.0f;
      if (mt == negInf) {  // nothing visible yet (a padding row)
        for (int j = 0; j < K; ++j)
          P[tid * K + j] = 0.0f;
      } else {
        alpha = expf(m - mt);  // 0 on the first visible tile (m = -inf)
        for (int j = 0; j < K; ++j) {
          const float w = expf(P[tid * K + j] - mt);  // masked: exp(-inf) = 0
          P[tid * K + j] = w;
          sum += w;
        }
      }
      rowSum[tid] = rowSum[tid] * alpha + sum;
      rowMax[tid] = mt;
      rowScale[tid] = alpha;
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < PER; ++i) {
      const int e = tid + i * NT;
      if (e < R * DV) {
        const int r = e / DV, c = e % DV;
        float a = acc[i] * rowScale[r];
#pragma unroll 8
        for (int j = 0; j < K; ++j)
          a += P[r * K + j] * Vs[j * DV + c];
        acc[i] = a;
      }
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < PER; ++i) {
    const int e = tid + i * NT;
    if (e < R * DV) {
      const int r = e / DV, c = e % DV;
      const int64_t row = row0 + r;
      if (row < rows) {
        const int64_t t = row / G, h = kvh * G + row % G;
        y[((b * L + t) * HQ + h) * DV + c] = TY(acc[i] / rowSum[r]);
      }
    }
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_ATTENTION_CUH
