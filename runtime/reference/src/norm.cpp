// Float64 RMSNorms: grouped gated RMSNorm (both norm_before_gate settings) and
// RMSNorm with a residual add (the residual stream kept in full precision).
#include "ssdc/reference.h"

#include <cmath>

namespace ssdc {
namespace ref {

void rmsnormGated(int64_t rows, int64_t d, int64_t groupSize, double eps,
                  bool normBeforeGate, const double *x, const double *z,
                  const double *w, double *out) {
  for (int64_t r = 0; r < rows; ++r) {
    const double *xr = x + r * d;
    double *o = out + r * d;
    for (int64_t g0 = 0; g0 < d; g0 += groupSize) {
      double ss = 0.0;
      for (int64_t i = g0; i < g0 + groupSize; ++i) {
        double u = xr[i];
        if (z && !normBeforeGate)
          u *= silu(z[r * d + i]);
        ss += u * u;
      }
      const double inv = 1.0 / std::sqrt(ss / double(groupSize) + eps);
      for (int64_t i = g0; i < g0 + groupSize; ++i) {
        const double gate = z ? silu(z[r * d + i]) : 1.0;
        o[i] = normBeforeGate ? xr[i] * inv * w[i] * gate
                              : xr[i] * gate * inv * w[i];
      }
    }
  }
}

void rmsnormResidual(int64_t rows, int64_t d, double eps, const double *hidden,
                     const double *residual, const double *w, double *out,
                     double *residualOut) {
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0.0;
    for (int64_t i = 0; i < d; ++i) {
      const double v = hidden[r * d + i] + (residual ? residual[r * d + i] : 0.0);
      residualOut[r * d + i] = v;
      ss += v * v;
    }
    const double inv = 1.0 / std::sqrt(ss / double(d) + eps);
    for (int64_t i = 0; i < d; ++i)
      out[r * d + i] = residualOut[r * d + i] * inv * w[i];
  }
}

} // namespace ref
} // namespace ssdc
