//===- TuneCuda.h - `ssdc tune`: what the CPU and CUDA tuners share -*- C++ -*-===//
//
// The tuner's groups (one per SSD shape and prefill length bucket of an
// artifact's plan), its options, its error measure against float64 and the
// database writer, used by TuneCommand.cpp (the command, the CPU variants)
// and TuneCuda.cpp (the CUDA variants: NVRTC-compiled kernel instances).
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_TOOLS_SSDC_TUNECUDA_H
#define SSDC_TOOLS_SSDC_TUNECUDA_H

#include "tools/ssdc/CliArgs.h"

#include "runtime/core/Artifact.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace ssdc::driver::tune {

struct SsdShapeKey {
  int64_t h, p, g, n;
  bool operator<(const SsdShapeKey &o) const {
    return std::tie(h, p, g, n) < std::tie(o.h, o.p, o.g, o.n);
  }
};

struct Bucket {
  int64_t lMin, lMax;  ///< lMax < 0: open
};

/// One (shape, bucket) of the plan and the lengths timed in it: the compiler
/// gives a bucket one schedule, so a variant's time for it is the sum over
/// these lengths.
struct Group {
  SsdShapeKey key;
  Bucket bucket;
  std::vector<int64_t> ls;
};

/// The command line both tuners read.
struct TuneOptions {
  std::string artifact, output, device;
  double budget = 120;
  int repeats = 5;
  int64_t batch = 1;
  unsigned seed = 1;
  std::vector<int64_t> chunks{32, 64, 128, 256};
  std::vector<int64_t> lengths;  ///< empty: each bucket's bound
};

/// The SSD groups of `art`'s prefill plan: shapes from its ssd.ssm launches
/// (any entry) and its four-stage chunked launches (ssd.chunk_output: q and
/// v), buckets from the prefill entries that run one (one-token buckets are
/// recurrent by rule and left out). `ssdDtype` (may be null) gets the SSD's
/// activation dtype (x's). Throws when there is nothing to tune.
std::vector<Group> planGroups(const rt::Artifact &art, const std::vector<int64_t> &lengths,
                              std::string *ssdDtype = nullptr);

/// Comma-separated positive integers up to `max`.
std::vector<int64_t> intList(const std::string &flag, const std::string &text, int64_t max);

/// max|a − e| / max|e| (NaN in `a`: infinity), the tuner's error measure.
double relError(const std::vector<float> &a, const std::vector<double> &e);

/// Writes `text` to `path` through a temporary file beside it.
void writeAtomically(const std::string &path, const std::string &text);

/// "l" of a database entry: [lMin, lMax] or [lMin, null].
nlohmann::json bucketJson(const Bucket &b);

/// The lengths of a group as "l1,l2".
std::string lengthList(const std::vector<int64_t> &ls);

/// Test hook (lit test test/lit/runtime/tune.test, test/gpu/tune_cuda_check.sh):
/// whether $SSDC_TUNE_INJECT_WRONG names `variant`, i.e. the tuner should
/// corrupt its output, to show that a wrong variant is discarded, never timed.
bool injectWrong(const std::string &variant);

/// `ssdc tune --device cuda` (TuneCuda.cpp; where ssdc is built without the
/// CUDA runtime, an error saying so). `a` holds the CUDA-only options.
int tuneCuda(Args &a, const TuneOptions &o);

} // namespace ssdc::driver::tune

#endif // SSDC_TOOLS_SSDC_TUNECUDA_H
