// SSD test inputs: seeded random tensors with per-head decays dt*A spread
// log-uniformly over [-50, -1e-4], the float64 reference outputs, and runners
// for the three CPU schedules (outputs poisoned with NaN before every run).
#ifndef SSDC_TEST_SSD_FIXTURE_H
#define SSDC_TEST_SSD_FIXTURE_H

#include "numerics_util.h"
#include "ssdc/cpu_kernels.h"
#include "ssdc/reference.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace ssdc {
namespace test {

struct SsdCase {
  std::string name;
  int b, l, h, p, g, n, chunk;
  unsigned seed;
  bool init = true;
  bool softplus = true;
  float dtMin = 0.0f, dtMax = INFINITY;
};

enum class Schedule { Recurrent, Quadratic, Chunked };

inline const char *scheduleName(Schedule s) {
  switch (s) {
  case Schedule::Recurrent: return "recurrent";
  case Schedule::Quadratic: return "quadratic";
  default: return "chunked";
  }
}

struct SsdData {
  cpu::SsdShape shape;
  cpu::DtParams dtp;
  std::vector<float> x, dt, A, B, C, D, bias, init;

  explicit SsdData(const SsdCase &c) {
    shape = {c.b, c.l, c.h, c.p, c.g, c.n};
    dtp.dtMin = c.dtMin;
    dtp.dtMax = c.dtMax;
    dtp.softplus = c.softplus;
    std::mt19937 rng(c.seed);
    x = randomVec(rng, size_t(c.b) * c.l * c.h * c.p, -1, 1);
    // dt after processing lands in about [0.4, 1.03].
    dt = c.softplus ? randomVec(rng, size_t(c.b) * c.l * c.h, -0.6f, 0.5f)
                    : randomVec(rng, size_t(c.b) * c.l * c.h, 0.4f, 1.0f);
    bias = c.softplus ? randomVec(rng, c.h, -0.1f, 0.1f)
                      : std::vector<float>(c.h, 0.0f);
    // |A_h| log-spaced over [1e-4 / 0.45, 50] across heads (shuffled), so
    // dt * A covers [-50, -1e-4].
    A.resize(c.h);
    const double lo = std::log(1e-4 / 0.45), hi = std::log(50.0);
    for (int h = 0; h < c.h; ++h) {
      const double f = c.h == 1 ? 0.5 : double(h) / (c.h - 1);
      A[h] = -float(std::exp(lo + f * (hi - lo)));
    }
    std::shuffle(A.begin(), A.end(), rng);
    B = randomVec(rng, size_t(c.b) * c.l * c.g * c.n, -1, 1);
    C = randomVec(rng, size_t(c.b) * c.l * c.g * c.n, -1, 1);
    D = randomVec(rng, c.h, -1, 1);
    if (c.init)
      init = randomVec(rng, stateSize(), -1, 1);
  }

  size_t ySize() const {
    return size_t(shape.batch) * shape.len * shape.heads * shape.headdim;
  }
  size_t stateSize() const {
    return size_t(shape.batch) * shape.heads * shape.headdim * shape.dstate;
  }
  /// Slice = (batch, head) for y [b,l,h,p].
  int64_t ySlice(size_t i) const {
    const size_t P = shape.headdim, H = shape.heads, L = shape.len;
    return int64_t(i / (L * H * P)) * H + int64_t((i / P) % H);
  }
  /// Slice = (batch, head) for state [b,h,p,n].
  int64_t stateSlice(size_t i) const {
    return int64_t(i / (size_t(shape.headdim) * shape.dstate));
  }
};

struct SsdResult {
  std::vector<double> y, state;
};

inline SsdResult runReference(const SsdData &d) {
  ref::SsdShape s{d.shape.batch, d.shape.len,    d.shape.heads,
                  d.shape.headdim, d.shape.groups, d.shape.dstate};
  ref::DtParams p{d.dtp.dtMin, d.dtp.dtMax, d.dtp.softplus};
  auto x = toDouble(d.x), dt = toDouble(d.dt), A = toDouble(d.A),
       B = toDouble(d.B), C = toDouble(d.C), D = toDouble(d.D),
       bias = toDouble(d.bias), init = toDouble(d.init);
  SsdResult r;
  r.y.resize(d.ySize());
  r.state.resize(d.stateSize());
  ref::ssd(s, p, x.data(), dt.data(), A.data(), B.data(), C.data(), D.data(),
           bias.data(), init.empty() ? nullptr : init.data(), r.y.data(),
           r.state.data());
  return r;
}

struct SsdOut {
  std::vector<float> y, state;
  int err = 0;
};

inline SsdOut runSchedule(const SsdData &d, Schedule s, int chunk) {
  SsdOut o;
  o.y = nanVec(d.ySize());
  o.state = nanVec(d.stateSize());
  cpu::SsdArgs a;
  a.x = d.x.data();
  a.dt = d.dt.data();
  a.A = d.A.data();
  a.B = d.B.data();
  a.C = d.C.data();
  a.D = d.D.data();
  a.dtBias = d.bias.data();
  a.initState = d.init.empty() ? nullptr : d.init.data();
  a.y = o.y.data();
  a.finalState = o.state.data();
  switch (s) {
  case Schedule::Recurrent: o.err = cpu::ssdRecurrent(d.shape, d.dtp, a); break;
  case Schedule::Quadratic: o.err = cpu::ssdQuadratic(d.shape, d.dtp, a); break;
  case Schedule::Chunked: o.err = cpu::ssdChunked(d.shape, d.dtp, a, chunk); break;
  }
  return o;
}

} // namespace test
} // namespace ssdc

#endif
