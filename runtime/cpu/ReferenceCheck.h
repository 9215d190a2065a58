// --check: runs the float64 reference (runtime/reference) beside each SSD,
// conv1d and RMSNorm launch of the CPU executor on the same inputs and keeps
// the relative error max|kernel − reference| / max|reference| per layer and
// launch kind (the maximum over every call, e.g. every decode step).
#ifndef SSDC_RUNTIME_CPU_REFERENCECHECK_H
#define SSDC_RUNTIME_CPU_REFERENCECHECK_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace ssdc::rt {

class ReferenceCheck {
public:
  /// Records one comparison of `n` values.
  void record(const std::string &layer, const std::string &kernel,
              const float *actual, const double *reference, int64_t n);

  /// Worst relative error per (layer, kernel kind).
  const std::map<std::pair<std::string, std::string>, double> &errors() const {
    return worst;
  }
  /// A table for people: one line per (layer, kernel), the worst error last.
  std::string report() const;

private:
  std::map<std::pair<std::string, std::string>, double> worst;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CPU_REFERENCECHECK_H
