//===- TuningDb.h - measured schedule times that override the model -*- C++ -*-===//
//
// A small versioned JSON file (schema in docs/passes.md):
//   {"format": "ssdc-tuning-db", "version": 1, "entries": [
//     {"target": "cuda-sm90", "device": "NVIDIA H100 80GB HBM3", "op": "sma",
//      "dtype": "bf16", "b": [1, 1], "l": [513, 4096],
//      "h": 80, "p": 64, "g": 1, "n": 128,
//      "times_us": {"quadratic": 210.5, "chunked-128": 96.0}}]}
// `l`/`b` are inclusive ranges ([lo, null] is open); `device` is optional.
// `chunked_form` (optional, "staged" or "fused": which CUDA chunked kernels
// the chunked-Q times are of, as `ssdc tune --device cuda` writes it) makes the
// entry apply only to compiles with that --chunked-form.
// Plain C++ over llvm::json; errors name the file and the field.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_TUNINGDB_H
#define SSDC_PASSES_TUNINGDB_H

#include "passes/CostModel.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace ssdc {

struct TuningEntry {
  std::string target, device, op, dtype;
  std::string chunkedForm;  ///< empty: any
  int64_t bMin = 1, bMax = -1, lMin = 1, lMax = -1; ///< -1 = unbounded
  int64_t h = 0, p = 0, g = 0, n = 0;
  llvm::SmallVector<std::pair<cost::Schedule, double>> timesUs;
};

/// What a lookup asks for.
struct TuningKey {
  std::string target, device, op, dtype;
  int64_t b, l, h, p, g, n;
  std::string chunkedForm = {};  ///< the compile's (GPU targets); empty: any
};

class TuningDb {
public:
  static constexpr int64_t kVersion = 1;

  /// Reads and validates `path`.
  static llvm::Expected<TuningDb> load(llvm::StringRef path);
  /// Parses `text` (`path` only names the file in errors).
  static llvm::Expected<TuningDb> parse(llvm::StringRef text,
                                        llvm::StringRef path);

  /// The first entry matching `key` (device and chunked form ignored where
  /// either side leaves them empty).
  const TuningEntry *lookup(const TuningKey &key) const;

  const std::vector<TuningEntry> &entries() const { return all; }

private:
  std::vector<TuningEntry> all;
};

} // namespace ssdc

#endif // SSDC_PASSES_TUNINGDB_H
