// Greedy and temperature / top-k / top-p sampling.
#include "runtime/gen/Sampler.h"

#include "runtime/core/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ssdc::rt {

int64_t Sampler::next(const float *logits, int64_t vocab) {
  for (int64_t i = 0; i < vocab; ++i)
    if (!std::isfinite(logits[i]))
      throw RuntimeError("the logits hold a non-finite value (" +
                         std::to_string(logits[i]) + " at id " +
                         std::to_string(i) + "); stopping");
  if (options.temperature <= 0.0)
    return std::max_element(logits, logits + vocab) - logits;

  // Ids by decreasing logit (stable: lower id first on ties).
  std::vector<int64_t> order(vocab);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return logits[a] > logits[b]; });
  int64_t keep = vocab;
  if (options.topK > 0)
    keep = std::min<int64_t>(keep, options.topK);

  std::vector<double> p(keep);
  double top = logits[order[0]] / options.temperature, sum = 0;
  for (int64_t i = 0; i < keep; ++i)
    sum += p[i] = std::exp(logits[order[i]] / options.temperature - top);
  if (options.topP < 1.0) {
    double acc = 0;
    int64_t cut = keep;
    for (int64_t i = 0; i < keep; ++i) {
      acc += p[i] / sum;
      if (acc >= options.topP) {
        cut = i + 1;
        break;
      }
    }
    keep = cut;
    sum = std::accumulate(p.begin(), p.begin() + keep, 0.0);
  }
  double u = std::uniform_real_distribution<double>(0.0, sum)(rng);
  for (int64_t i = 0; i < keep; ++i) {
    u -= p[i];
    if (u < 0)
      return order[i];
  }
  return order[keep - 1];
}

} // namespace ssdc::rt
