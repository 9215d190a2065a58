// Float64 causal softmax attention with grouped-query heads and RoPE
// (neox / non-interleaved: dims i and i + rotaryDim/2 form a pair).
#include "ssdc/reference.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ssdc {
namespace ref {

namespace {
// Rotates the first rotaryDim entries of v (length headdim) for position pos.
void rope(double *v, int64_t rotaryDim, double theta, int64_t pos) {
  const int64_t half = rotaryDim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double freq = std::pow(theta, -2.0 * double(i) / double(rotaryDim));
    const double ang = double(pos) * freq;
    const double c = std::cos(ang), s = std::sin(ang);
    const double a = v[i], b = v[i + half];
    v[i] = a * c - b * s;
    v[i + half] = b * c + a * s;
  }
}
} // namespace

void attention(int64_t batch, int64_t len, int64_t hq, int64_t hkv,
               int64_t headdim, int64_t rotaryDim, double ropeTheta,
               int64_t pos0, const double *q, const double *k, const double *v,
               double *out) {
  const int64_t Dh = headdim, rep = hq / hkv;
  const double scale = 1.0 / std::sqrt(double(Dh));
  std::vector<double> qr(Dh), kr(len * Dh), sc(len);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t h = 0; h < hq; ++h) {
      const int64_t hk = h / rep;
      for (int64_t j = 0; j < len; ++j) {
        std::copy_n(k + ((b * len + j) * hkv + hk) * Dh, Dh, kr.begin() + j * Dh);
        rope(kr.data() + j * Dh, rotaryDim, ropeTheta, pos0 + j);
      }
      for (int64_t i = 0; i < len; ++i) {
        std::copy_n(q + ((b * len + i) * hq + h) * Dh, Dh, qr.begin());
        rope(qr.data(), rotaryDim, ropeTheta, pos0 + i);
        double mx = -INFINITY;
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0.0;
          for (int64_t e = 0; e < Dh; ++e)
            dot += qr[e] * kr[j * Dh + e];
          sc[j] = dot * scale;
          mx = std::max(mx, sc[j]);
        }
        double den = 0.0;
        for (int64_t j = 0; j <= i; ++j) {
          sc[j] = std::exp(sc[j] - mx);
          den += sc[j];
        }
        double *o = out + ((b * len + i) * hq + h) * Dh;
        for (int64_t e = 0; e < Dh; ++e) {
          double acc = 0.0;
          for (int64_t j = 0; j <= i; ++j)
            acc += sc[j] * v[((b * len + j) * hkv + hk) * Dh + e];
          o[e] = acc / den;
        }
      }
    }
  }
}

} // namespace ref
} // namespace ssdc
