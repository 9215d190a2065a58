// The parameter structs of the generated CUDA kernels: one plain struct per
// kernel family, passed by value as the kernel's only argument. Shared by the
// device templates (codegen/cuda/templates) and the CUDA executor
// (runtime/cuda), so both sides agree on the layout. No CUDA headers here.
// Operands whose storage type follows the plan buffer (f32, bf16 or f16:
// activations and matmul weights) are `void` pointers; the kernel template
// is instantiated with their element types (cuda_kernels.h) and casts. The
// ones that are always f32 (A, D, dt bias, states, cumsums, chunk states;
// the executor checks the plan agrees) stay `float`.
#ifndef SSDC_CUDA_PARAMS_H
#define SSDC_CUDA_PARAMS_H

#include <stdint.h>

namespace ssdc {
namespace cuda {

constexpr int kMaxRank = 6;

/// y = f(x) elementwise; clamp uses lo/hi.
struct UnaryParams {
  const void *x;
  void *y;
  int64_t n;
  float lo, hi;
};

/// y = a ∘ b with NumPy broadcasting: strides are per output dimension
/// (0 where broadcast), `shape` the output's.
struct BinaryParams {
  const void *a, *b;
  void *y;
  int64_t n;
  int rank;
  int64_t shape[kMaxRank];
  int64_t aStride[kMaxRank], bStride[kMaxRank];
};

/// A column range of a row-major [rows, width] buffer copied out (ssd.split).
struct CopyColumnsParams {
  const void *src;
  void *dst;
  int64_t rows, width, offset, columns;
};

struct EmbeddingParams {
  const int64_t *ids;
  const void *table;
  void *y;
  int64_t rows, dim, vocab;
};

/// out = RMSNorm over groups of `group` channels, optional gate z.
struct RmsnormParams {
  const void *x, *z, *w;
  void *y;
  int64_t rows, d, group;
  float eps;
  int normBeforeGate;
  int64_t zRow;  ///< elements from one row of z to the next (0: d); a column view read in place
};

/// Causal depthwise conv over x[b, l, c] with weights [c, K]; state [b, c, K]
/// holds the last K inputs (in and out).
struct Conv1dParams {
  const void *x, *w, *bias;  // bias has w's type
  const float *initState;
  void *y;
  float *finalState;
  int64_t batch, len, channels, kernel;
  int silu;
  int64_t xRow;  ///< elements from one (b, t) row of x to the next (0: channels); a column view
};

/// The SSD operator with raw dt (recurrent and quadratic schedules):
/// x[b,l,h,p], dt[b,l,h], A[h], B/C[b,l,g,n], D[h]?, dtBias[h]?,
/// initState[b,h,p,n]? -> y[b,l,h,p], finalState[b,h,p,n].
struct SsmParams {
  const void *x, *dt;
  const float *A;
  const void *B, *C;  // C has B's type
  const float *D, *dtBias, *initState;
  void *y;
  float *finalState;
  int64_t batch, len, heads, headdim, groups, dstate;
  int dtSoftplus;
  float dtMin, dtMax;
};

/// ssd.chunk_cumsum: dtOut = clamp(softplus(dt + dtBias)), cum = within-chunk
/// inclusive sum of dtOut·A (or of dt itself without A). [b, l, h].
struct ChunkCumsumParams {
  const void *dt;
  const float *A, *dtBias;
  float *dtOut, *cum;
  int64_t batch, len, heads;
  int dtSoftplus;
  float dtMin, dtMax;
};

/// ssd.chunk_state: states[b,c,h,p,n] from k[b,l,g,n], v[b,l,h,p], cum[b,l,h].
struct ChunkStateParams {
  const void *k, *v;
  const float *cum;
  float *states;
  int64_t batch, len, heads, headdim, groups, dstate;
};

/// ssd.state_pass: prev[b,c,h,p,n], final[b,h,p,n] from states and cum.
struct StatePassParams {
  const float *states, *cum, *init;
  float *prev, *finalState;
  int64_t batch, len, heads, headdim, dstate;
};

/// ssd.chunk_output: y[b,l,h,p] from q/k[b,l,g,n], v[b,l,h,p], cum, prev,
/// optional skip x[b,l,h,p] and D[h].
struct ChunkOutputParams {
  const void *q, *k, *v;  // k has q's type
  const float *cum, *prev;
  const void *skipX;
  const float *D;
  void *y;
  int64_t batch, len, heads, headdim, groups, dstate;
};

/// ssd.attention (causal softmax, GQA, neox RoPE on the first rotaryDim
/// channels of q and k, KV cache), two kernels on one struct:
/// q[b,l,hq,d], k[b,l,hk,d], v[b,l,hk,dv] of this call; pastK[b,s,hk,d]
/// (already rotated) and pastV[b,s,hk,dv], null when s = 0. The cache kernel
/// writes keys[b,s+l,hk,d] and values[b,s+l,hk,dv] (the next cache: the past
/// rows, then this call's, keys rotated at positions s..s+l-1); the
/// attention kernel then reads them and writes y[b,l,hq,dv]. q, k, v share
/// one storage type; pastK, pastV, keys, values another; y a third.
struct AttentionParams {
  const void *q, *k, *v;
  const void *pastK, *pastV;
  void *keys, *values;
  void *y;
  int64_t batch, len, past, qHeads, kvHeads, headdim, vHeaddim, rotaryDim;
  double ropeTheta;
  float scale;  ///< softmax scale (1/sqrt(d) unless the op says otherwise)

  /// The attention kernel's tiling (attention.cuh): query rows per block,
  /// keys per shared-memory tile, threads per block. Its dynamic shared
  /// memory is 4·(kRows·d + kKeys·(d + 1) + kKeys·dv + kRows·kKeys + 3·kRows)
  /// bytes (Q tile, K tile padded by one, V tile, scores, per-row scalars).
  static constexpr int kRows = 16, kKeys = 32, kThreads = 128;
};

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_PARAMS_H
