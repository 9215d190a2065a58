// Relative-error bookkeeping for --check.
#include "runtime/cpu/ReferenceCheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ssdc::rt {

void ReferenceCheck::record(const std::string &layer, const std::string &kernel,
                            const float *actual, const double *reference,
                            int64_t n) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = std::fabs(static_cast<double>(actual[i]) - reference[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, std::fabs(reference[i]));
  }
  double rel = scale > 0 ? diff / scale : diff;
  // Kinds, not schedules: "ssm.chunked64" and "ssm.recurrent" are both "ssm".
  std::string kind = kernel.substr(0, kernel.find('.'));
  const std::string state = ".state";
  if (kernel.size() > state.size() &&
      kernel.compare(kernel.size() - state.size(), state.size(), state) == 0)
    kind += " state";
  double &w = worst[{layer, kind}];
  w = std::max(w, rel);
}

std::string ReferenceCheck::report() const {
  std::string out = "--check: float64 reference vs the kernels, worst relative "
                    "error max|a-r|/max|r| per layer\n";
  double overall = 0;
  for (const auto &[key, err] : worst) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-24s %-10s %.3g\n", key.first.c_str(),
                  key.second.c_str(), err);
    out += line;
    overall = std::max(overall, err);
  }
  char last[96];
  std::snprintf(last, sizeof last, "  worst overall: %.3g\n", overall);
  return out + last;
}

} // namespace ssdc::rt
