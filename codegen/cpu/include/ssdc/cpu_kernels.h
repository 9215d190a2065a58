// C++ API over the AOT-compiled Halide CPU kernels (fp32). The runtime calls
// these; they wrap raw row-major pointers in Halide buffers and run the
// pipelines (multithreaded on Halide's thread pool). Every function returns 0
// on success, -1 for a shape it rejects (non-positive extents, h % g != 0,
// chunk <= 0), a Halide error code otherwise. Optional pointers may be null.
//
// SSD layouts (row-major): x [b,l,h,p], dt [b,l,h], A [h] (= -exp(A_log)),
// B, C [b,l,g,n], D [h], dtBias [h], state [b,h,p,n], y [b,l,h,p]; h % g == 0.
#ifndef SSDC_CPU_KERNELS_H
#define SSDC_CPU_KERNELS_H

#include <cstdint>
#include <limits>

namespace ssdc {
namespace cpu {

struct SsdShape {
  int batch = 1, len = 1, heads = 1, headdim = 1, groups = 1, dstate = 1;
};

/// dt = clamp(softplus?(dt + dtBias), dtMin, dtMax).
struct DtParams {
  float dtMin = 0.0f;
  float dtMax = std::numeric_limits<float>::infinity();
  bool softplus = true;
};

struct SsdArgs {
  const float *x = nullptr, *dt = nullptr, *A = nullptr, *B = nullptr,
              *C = nullptr;
  const float *D = nullptr, *dtBias = nullptr;
  const float *initState = nullptr; ///< [b,h,p,n]; null = zeros
  float *y = nullptr;               ///< [b,l,h,p]
  float *finalState = nullptr;      ///< [b,h,p,n]; null = not wanted
};

/// Recurrent schedule: a sequential scan over l per (batch, head).
int ssdRecurrent(const SsdShape &s, const DtParams &dtp, const SsdArgs &a);
/// Quadratic schedule: y = (L o C B^T)(dt x) materialised per head.
int ssdQuadratic(const SsdShape &s, const DtParams &dtp, const SsdArgs &a);
/// Chunked schedule with chunk size `chunk` (any l; the last chunk may be
/// partial): chunk_cumsum, chunk_state, state_pass, chunk_output.
int ssdChunked(const SsdShape &s, const DtParams &dtp, const SsdArgs &a,
               int chunk);

/// One decode token (s.len is ignored and taken as 1): x [b,h,p], dt [b,h],
/// B, C [b,g,n]; updates state [b,h,p,n] in place; writes y [b,h,p].
int ssdDecodeStep(const SsdShape &s, const DtParams &dtp, const float *x,
                  const float *dt, const float *A, const float *B,
                  const float *C, const float *D, const float *dtBias,
                  float *state, float *y);

/// Causal depthwise conv1d, x/out [b,l,c], weight [c,k], bias [c],
/// window state [b,c,k] (the last k inputs, oldest first; null = zeros),
/// finalState [b,c,k] or null.
int conv1d(int batch, int len, int channels, int kernel, const float *x,
           const float *weight, const float *bias, const float *initState,
           bool applySilu, float *out, float *finalState);
/// One token: x/out [b,c]; state [b,c,k] updated in place.
int conv1dStep(int batch, int channels, int kernel, const float *x,
               const float *weight, const float *bias, bool applySilu,
               float *state, float *out);

/// Grouped gated RMSNorm over rows of width d in groups of groupSize:
/// normBeforeGate ? norm(x) w silu(z) : norm(x silu(z)) w. z may be null.
int rmsnormGated(int rows, int d, int groupSize, float eps, bool normBeforeGate,
                 const float *x, const float *z, const float *w, float *out);
/// residualOut = hidden + residual (null = zeros); out = rmsnorm(residualOut) w.
int rmsnormResidual(int rows, int d, float eps, const float *hidden,
                    const float *residual, const float *w, float *out,
                    float *residualOut);

int silu(int64_t n, const float *x, float *out);
int softplus(int64_t n, const float *x, float *out);
/// out [rows,d] = table[ids[r]]; ids outside [0, vocab) give zeros.
int embedding(int rows, int d, int vocab, const int32_t *ids,
              const float *table, float *out);

/// Causal softmax attention, GQA (hq % hkv == 0), neox RoPE on the first
/// rotaryDim dims at positions pos0 + t. q [b,l,hq,d], k, v [b,l,hkv,d],
/// out [b,l,hq,d].
int attention(int batch, int len, int hq, int hkv, int headdim, int rotaryDim,
              float ropeTheta, int pos0, const float *q, const float *k,
              const float *v, float *out);

} // namespace cpu
} // namespace ssdc

#endif // SSDC_CPU_KERNELS_H
