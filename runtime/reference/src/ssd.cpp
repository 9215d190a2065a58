// Float64 sequential SSD: the recurrence of REFERENCE.md, one (batch, head) at a
// time, state [p, n] carried step by step. The decode step is the same loop body.
#include "ssdc/reference.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ssdc {
namespace ref {

double softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }

double silu(double x) { return x / (1.0 + std::exp(-x)); }

namespace {
double processDt(const DtParams &dtp, double raw, double bias) {
  double v = raw + bias;
  if (dtp.softplus)
    v = softplus(v);
  return std::min(std::max(v, dtp.dtMin), dtp.dtMax);
}
} // namespace

void ssd(const SsdShape &s, const DtParams &dtp, const double *x,
         const double *dt, const double *A, const double *B, const double *C,
         const double *D, const double *dtBias, const double *initState,
         double *y, double *finalState) {
  const int64_t L = s.len, H = s.heads, P = s.headdim, G = s.groups,
                N = s.dstate;
  const int64_t headsPerGroup = H / G;
  std::vector<double> S(P * N);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      const int64_t g = h / headsPerGroup;
      for (int64_t i = 0; i < P * N; ++i)
        S[i] = initState ? initState[(b * H + h) * P * N + i] : 0.0;
      for (int64_t t = 0; t < L; ++t) {
        const double d =
            processDt(dtp, dt[(b * L + t) * H + h], dtBias ? dtBias[h] : 0.0);
        const double a = std::exp(d * A[h]);
        const double *xt = x + ((b * L + t) * H + h) * P;
        const double *Bt = B + ((b * L + t) * G + g) * N;
        const double *Ct = C + ((b * L + t) * G + g) * N;
        double *yt = y + ((b * L + t) * H + h) * P;
        for (int64_t p = 0; p < P; ++p) {
          double acc = 0.0;
          for (int64_t n = 0; n < N; ++n) {
            double &st = S[p * N + n];
            st = a * st + d * xt[p] * Bt[n];
            acc += st * Ct[n];
          }
          yt[p] = acc + (D ? D[h] : 0.0) * xt[p];
        }
      }
      if (finalState)
        std::copy(S.begin(), S.end(), finalState + (b * H + h) * P * N);
    }
  }
}

void ssdStep(const SsdShape &s, const DtParams &dtp, const double *x,
             const double *dt, const double *A, const double *B,
             const double *C, const double *D, const double *dtBias,
             double *state, double *y) {
  SsdShape one = s;
  one.len = 1;
  const int64_t n = one.batch * one.heads * one.headdim * one.dstate;
  std::vector<double> init(state, state + n);
  ssd(one, dtp, x, dt, A, B, C, D, dtBias, init.data(), y, state);
}

} // namespace ref
} // namespace ssdc
