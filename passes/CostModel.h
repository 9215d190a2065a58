//===- CostModel.h - analytic cost of the SSD schedules ---------*- C++ -*-===//
//
// Plain C++ (no MLIR): the work each schedule of the SSD operator does, and
// its estimated time on a target,
//   t = max(matmul FLOPs / matmul rate + vector FLOPs / vector rate,
//           bytes / bandwidth, exps / exp rate)
//       + launches · launch overhead + sequential depth · step latency.
// FLOP and byte counts follow ../shared/PERF.md (chunked) and the same
// conventions for the other schedules; docs/passes.md lists every formula
// and where each coefficient comes from.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_COSTMODEL_H
#define SSDC_PASSES_COSTMODEL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ssdc {
namespace cost {

enum class Kind { Recurrent, Quadratic, Chunked };

/// A schedule: its kind and, for chunked, the chunk size Q.
struct Schedule {
  Kind kind = Kind::Recurrent;
  int64_t chunkSize = 0;
  bool operator==(const Schedule &o) const {
    return kind == o.kind && chunkSize == o.chunkSize;
  }
  /// "recurrent", "quadratic", "chunked-64" (the tuning-db spelling).
  std::string str() const;
  /// Parses str()'s spelling.
  static std::optional<Schedule> parse(llvm::StringRef s);
};

/// A target's throughput and latency figures (SI units: FLOP/s, B/s, s).
struct Target {
  std::string name;
  double matmulFlops16; ///< matmul rate, bf16/f16 operands
  double matmulFlops32; ///< matmul rate, f32 operands
  double vectorFlops;   ///< non-matmul fp32 FMA rate (the scan)
  double bandwidth;     ///< DRAM bytes/s
  double expRate;       ///< exp/s
  double launchOverhead;   ///< per kernel launch (plus tail)
  double scanStepLatency;  ///< one dependent step of the recurrent scan
  double chunkStepLatency; ///< one chunk-to-chunk step of state passing
  bool provisional;        ///< coefficients not yet measured on the target
  /// When set, SSD schedule times come from a least-squares fit of measured
  /// kernel times on the target instead of the roofline above (the CPU:
  /// docs/perf/cpu_crossovers.md). Seconds; W = L·B·H·P·N.
  struct MeasuredFit {
    double recurrentBase, recurrentPerW;
    double quadraticBase, quadraticPerW, quadraticPerL2;  ///< · L²·B·H·(P+N)
    double chunkedBase, chunkedPerW, chunkedPerWOverQ,
        chunkedPerLQ;                                     ///< · L·B·H·Q·(P+N)
  };
  std::optional<MeasuredFit> fit;
};

/// Seconds by the target's measured fit (requires t.fit).
double fittedSeconds(const struct Shape &s, const Target &t, Schedule sched);

/// Seconds of a schedule on cuda-sm90 by the kernels as built (their
/// measured per-kernel rates, launches and critical paths; CostModel.cpp,
/// docs/perf/gpu_short.md). estimateAll uses it for that target.
double cudaKernelSeconds(const struct Shape &s, Schedule sched);

/// "cpu" or "cuda-sm90"; nullopt otherwise.
std::optional<Target> lookupTarget(llvm::StringRef name);
/// The names lookupTarget knows, for diagnostics.
llvm::StringRef knownTargets();

/// The operator's shape (REFERENCE.md symbols) and activation element size.
struct Shape {
  int64_t b = 1, l = 1, h = 1, p = 1, g = 1, n = 1;
  int64_t elemBytes = 2; ///< 2 for bf16/f16, 4 for f32
  bool hasInit = false;  ///< an initial state is read
  /// Chunk sizes at which a chunked schedule runs as the fused CUDA kernel
  /// (ssd-decompose-chunked{keep-fused}); other Q are the four-kernel form.
  llvm::SmallVector<int64_t, 4> fusedChunks;
};

/// What one schedule does.
struct Work {
  double matmulFlops = 0, vectorFlops = 0, exps = 0, bytes = 0;
  int64_t launches = 0;
  int64_t depth = 0;       ///< sequential steps
  double stepLatency = 0;  ///< seconds per sequential step
};

Work recurrentWork(const Shape &s, const Target &t);
Work quadraticWork(const Shape &s, const Target &t);
Work chunkedWork(const Shape &s, const Target &t, int64_t q);
Work work(const Shape &s, const Target &t, Schedule sched);

/// Estimated seconds for `w` on `t` with operands of `elemBytes`.
double seconds(const Work &w, const Target &t, int64_t elemBytes);

struct Estimate {
  Schedule schedule;
  double seconds;
};

/// Every candidate: recurrent, quadratic, then chunked for each Q in
/// `chunkSizes` (chunked only when `allowChunked`).
llvm::SmallVector<Estimate> estimateAll(const Shape &s, const Target &t,
                                        llvm::ArrayRef<int64_t> chunkSizes,
                                        bool allowChunked = true);

/// The cheapest estimate; ties go to the earlier (simpler) schedule. Length
/// 1 (decode) is recurrent whatever the figures say.
Estimate choose(const Shape &s, llvm::ArrayRef<Estimate> estimates);

/// Causal softmax attention (always quadratic): hq query heads, hk kv heads,
/// head dim d, s cached positions.
Work attentionWork(int64_t b, int64_t l, int64_t s, int64_t hq, int64_t hk,
                   int64_t d, int64_t elemBytes, const Target &t);

} // namespace cost
} // namespace ssdc

#endif // SSDC_PASSES_COSTMODEL_H
