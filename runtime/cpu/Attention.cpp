// Causal GQA attention with RoPE and a KV cache (see Attention.h).
#include "runtime/cpu/Attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace ssdc::rt {

namespace {

/// Rotates the first `rot` channels of `x` (neox: pairs i and i + rot/2) for
/// position `pos`, in double for the angle.
void rope(float *x, int64_t rot, int64_t pos, double theta) {
  int64_t half = rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    double freq = std::pow(theta, -2.0 * static_cast<double>(i) / rot);
    double angle = static_cast<double>(pos) * freq;
    double c = std::cos(angle), s = std::sin(angle);
    double a = x[i], b = x[i + half];
    x[i] = static_cast<float>(a * c - b * s);
    x[i + half] = static_cast<float>(b * c + a * s);
  }
}

} // namespace

void attentionWithCache(const AttentionShape &s, const float *q, const float *k,
                        const float *v, const float *pastK, const float *pastV,
                        float *out, float *keys, float *values) {
  const int64_t total = s.past + s.len, group = s.hq / s.hk;
  const double scale = s.scale > 0 ? s.scale : 1.0 / std::sqrt(double(s.d));
  // The next cache: past rows, then this call's (keys rotated).
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t t = 0; t < total; ++t) {
      float *kd = keys + ((b * total + t) * s.hk) * s.d;
      float *vd = values + ((b * total + t) * s.hk) * s.dv;
      if (t < s.past) {
        std::memcpy(kd, pastK + ((b * s.past + t) * s.hk) * s.d, s.hk * s.d * 4);
        std::memcpy(vd, pastV + ((b * s.past + t) * s.hk) * s.dv, s.hk * s.dv * 4);
        continue;
      }
      int64_t row = b * s.len + (t - s.past);
      std::memcpy(kd, k + row * s.hk * s.d, s.hk * s.d * 4);
      std::memcpy(vd, v + row * s.hk * s.dv, s.hk * s.dv * 4);
      for (int64_t h = 0; h < s.hk; ++h)
        rope(kd + h * s.d, s.rotaryDim, t, s.ropeTheta);
    }
  }
  std::vector<float> qr(s.d);
  std::vector<double> p(total), acc(s.dv);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t t = 0; t < s.len; ++t)
      for (int64_t h = 0; h < s.hq; ++h) {
        const int64_t pos = s.past + t, kvh = h / group;
        std::memcpy(qr.data(), q + ((b * s.len + t) * s.hq + h) * s.d, s.d * 4);
        rope(qr.data(), s.rotaryDim, pos, s.ropeTheta);
        double best = -INFINITY;
        for (int64_t j = 0; j <= pos; ++j) {
          const float *kj = keys + ((b * total + j) * s.hk + kvh) * s.d;
          double dot = 0;
          for (int64_t c = 0; c < s.d; ++c)
            dot += double(qr[c]) * kj[c];
          p[j] = dot * scale;
          best = std::max(best, p[j]);
        }
        double sum = 0;
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t j = 0; j <= pos; ++j) {
          double w = std::exp(p[j] - best);
          sum += w;
          const float *vj = values + ((b * total + j) * s.hk + kvh) * s.dv;
          for (int64_t c = 0; c < s.dv; ++c)
            acc[c] += w * vj[c];
        }
        float *o = out + ((b * s.len + t) * s.hq + h) * s.dv;
        for (int64_t c = 0; c < s.dv; ++c)
          o[c] = static_cast<float>(acc[c] / sum);
      }
}

} // namespace ssdc::rt
