// Float64 causal depthwise conv1d with its window state (the last K inputs),
// prefill and one-token step, optional SiLU on the output.
#include "ssdc/reference.h"

#include <vector>

namespace ssdc {
namespace ref {

void conv1d(int64_t batch, int64_t len, int64_t channels, int64_t kernel,
            const double *x, const double *weight, const double *bias,
            const double *initState, bool applySilu, double *out,
            double *finalState) {
  const int64_t K = kernel, Cn = channels;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < Cn; ++c) {
      // Full input history for this channel: K state values then len inputs.
      std::vector<double> hist(K + len);
      for (int64_t k = 0; k < K; ++k)
        hist[k] = initState ? initState[(b * Cn + c) * K + k] : 0.0;
      for (int64_t t = 0; t < len; ++t)
        hist[K + t] = x[(b * len + t) * Cn + c];
      for (int64_t t = 0; t < len; ++t) {
        // Output t sees inputs t-K+1 .. t, i.e. hist[t+1 .. t+K].
        double acc = bias ? bias[c] : 0.0;
        for (int64_t k = 0; k < K; ++k)
          acc += weight[c * K + k] * hist[t + 1 + k];
        out[(b * len + t) * Cn + c] = applySilu ? silu(acc) : acc;
      }
      if (finalState)
        for (int64_t k = 0; k < K; ++k)
          finalState[(b * Cn + c) * K + k] = hist[len + k];
    }
  }
}

void conv1dStep(int64_t batch, int64_t channels, int64_t kernel,
                const double *x, const double *weight, const double *bias,
                bool applySilu, double *state, double *out) {
  std::vector<double> init(state, state + batch * channels * kernel);
  conv1d(batch, 1, channels, kernel, x, weight, bias, init.data(), applySilu,
         out, state);
}

} // namespace ref
} // namespace ssdc
