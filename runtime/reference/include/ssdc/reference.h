// Float64 sequential reference of every ssdc op. Plain loops written to be
// obviously correct, not fast: the numerics tests compare every kernel schedule
// against these functions. All tensors are row-major and contiguous; the layout
// of each argument is written next to it. Optional pointers may be null.
#ifndef SSDC_REFERENCE_H
#define SSDC_REFERENCE_H

#include <cstdint>
#include <limits>

namespace ssdc {
namespace ref {

/// Shape of one SSD call: batch, length, heads, head dim, groups, state dim.
struct SsdShape {
  int64_t batch = 1, len = 1, heads = 1, headdim = 1, groups = 1, dstate = 1;
};

/// dt processing: dt = clamp(softplus?(dt_raw + dt_bias), dtMin, dtMax).
struct DtParams {
  double dtMin = 0.0;
  double dtMax = std::numeric_limits<double>::infinity();
  bool softplus = true;
};

/// softplus with torch's threshold: x for x > 20, else log1p(exp(x)).
double softplus(double x);
double silu(double x);

/// The SSD operator, sequential recurrence (REFERENCE.md):
///   x [b,l,h,p], dt [b,l,h], A [h] (already -exp(A_log)), B, C [b,l,g,n],
///   D [h] or null, dtBias [h] or null, initState [b,h,p,n] or null (zeros),
///   y [b,l,h,p] out, finalState [b,h,p,n] out or null.
void ssd(const SsdShape &s, const DtParams &dtp, const double *x,
         const double *dt, const double *A, const double *B, const double *C,
         const double *D, const double *dtBias, const double *initState,
         double *y, double *finalState);

/// One decode step (s.len must be 1): updates state [b,h,p,n] in place and
/// writes y [b,1,h,p].
void ssdStep(const SsdShape &s, const DtParams &dtp, const double *x,
             const double *dt, const double *A, const double *B,
             const double *C, const double *D, const double *dtBias,
             double *state, double *y);

/// Causal depthwise conv1d over x [b,l,c] with weight [c,k], bias [c] or null,
/// window state [b,c,k] = the last k inputs before this call (oldest first;
/// null = zeros). out [b,l,c]; finalState [b,c,k] (last k inputs) or null.
void conv1d(int64_t batch, int64_t len, int64_t channels, int64_t kernel,
            const double *x, const double *weight, const double *bias,
            const double *initState, bool applySilu, double *out,
            double *finalState);

/// One token: x [b,c]; state [b,c,k] updated in place; out [b,c].
void conv1dStep(int64_t batch, int64_t channels, int64_t kernel,
                const double *x, const double *weight, const double *bias,
                bool applySilu, double *state, double *out);

/// Grouped gated RMSNorm over rows of width d, groups of groupSize channels:
///   normBeforeGate: out = rmsnorm_g(x) * w * silu(z)
///   otherwise:      out = rmsnorm_g(x * silu(z)) * w
/// z may be null (no gate). x, z, out [rows, d]; w [d].
void rmsnormGated(int64_t rows, int64_t d, int64_t groupSize, double eps,
                  bool normBeforeGate, const double *x, const double *z,
                  const double *w, double *out);

/// residualOut = hidden + residual (residual null = zeros);
/// out = rmsnorm(residualOut) * w. All [rows, d].
void rmsnormResidual(int64_t rows, int64_t d, double eps, const double *hidden,
                     const double *residual, const double *w, double *out,
                     double *residualOut);

void siluN(int64_t n, const double *x, double *out);
void softplusN(int64_t n, const double *x, double *out);

/// out [rows, d] = table[ids[r], :]; table [vocab, d].
void embedding(int64_t rows, int64_t d, int64_t vocab, const int32_t *ids,
               const double *table, double *out);

/// Causal softmax attention with GQA and RoPE (neox half rotation on the first
/// rotaryDim dims of every head; position of token t is pos0 + t).
///   q [b,l,hq,d], k, v [b,l,hkv,d], out [b,l,hq,d]; hq % hkv == 0,
///   scale = 1/sqrt(d).
void attention(int64_t batch, int64_t len, int64_t hq, int64_t hkv,
               int64_t headdim, int64_t rotaryDim, double ropeTheta,
               int64_t pos0, const double *q, const double *k, const double *v,
               double *out);

} // namespace ref
} // namespace ssdc

#endif // SSDC_REFERENCE_H
