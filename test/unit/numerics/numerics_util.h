// Shared helpers for the numerics tests: seeded random tensors, NaN poisoning
// of outputs, float<->double copies, and the error metric.
//
// Error metric (used by every test, threshold 1e-5 for fp32 kernels):
//   relErr(out, ref) = max over slices s of  max_{i in s} |out_i - ref_i|
//                                            / max_{i in s} |ref_i|
// where a slice is one (batch, head) of an SSD tensor (so a head whose values
// are small is judged on its own scale) or the whole tensor elsewhere. Any NaN
// or Inf in `out` gives +inf, so an output element left unwritten (poisoned
// with NaN) fails.
#ifndef SSDC_TEST_NUMERICS_UTIL_H
#define SSDC_TEST_NUMERICS_UTIL_H

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace ssdc {
namespace test {

constexpr double kFp32Tol = 1e-5;

inline std::vector<float> randomVec(std::mt19937 &rng, size_t n, float lo,
                                    float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

inline std::vector<double> toDouble(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

inline std::vector<float> nanVec(size_t n) {
  return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN());
}

/// relErr with slices given by sliceOf(flat index).
template <typename A, typename R>
double relErrSliced(const std::vector<A> &out, const std::vector<R> &ref,
                    const std::function<int64_t(size_t)> &sliceOf) {
  if (out.size() != ref.size())
    return std::numeric_limits<double>::infinity();
  std::map<int64_t, std::pair<double, double>> acc; // slice -> (maxDiff, maxRef)
  for (size_t i = 0; i < out.size(); ++i) {
    const double o = double(out[i]), r = double(ref[i]);
    if (!std::isfinite(o))
      return std::numeric_limits<double>::infinity();
    auto &s = acc[sliceOf(i)];
    s.first = std::max(s.first, std::fabs(o - r));
    s.second = std::max(s.second, std::fabs(r));
  }
  double worst = 0.0;
  for (auto &kv : acc) {
    const double den = kv.second.second > 0 ? kv.second.second : 1e-300;
    worst = std::max(worst, kv.second.first / den);
  }
  return worst;
}

/// relErr over the whole tensor.
template <typename A, typename R>
double relErr(const std::vector<A> &out, const std::vector<R> &ref) {
  return relErrSliced(out, ref, [](size_t) { return int64_t(0); });
}

} // namespace test
} // namespace ssdc

#endif
