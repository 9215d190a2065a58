// Runs one entry function of a plan on the CPU: binds the symbolic shapes to
// the call's batch and length, materialises views, and calls a kernel per
// launch (the artifact's Halide kernels for the SSD, conv and norms; BLAS
// for the dense projections; plain loops for cheap elementwise ops).
#ifndef SSDC_RUNTIME_CPU_CPUEXECUTOR_H
#define SSDC_RUNTIME_CPU_CPUEXECUTOR_H

#include "runtime/core/CallShape.h"
#include "runtime/core/Plan.h"
#include "runtime/core/Tensor.h"
#include "runtime/cpu/ReferenceCheck.h"

#include "ssdc/cpu_kernel_table.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssdc::rt {

/// Where weights come from: returns f32 data of exactly `shape` for a
/// canonical weight name, or throws RuntimeError naming the tensor.
using WeightLookup =
    std::function<const float *(const std::string &name,
                                const std::vector<int64_t> &shape)>;

class CpuExecutor {
public:
  /// `kernels`: the artifact's kernel table (see KernelLibrary.h).
  CpuExecutor(WeightLookup weights, const cpu::KernelTable *kernels)
      : weights(std::move(weights)), kernels(kernels) {}

  /// Runs `entry` on token ids [b, l] (row-major) and, for decode, the
  /// states by name. Every output element is written by a kernel.
  RunResult run(const Entry &entry, const std::vector<int64_t> &ids,
                int64_t batch, int64_t length,
                const std::map<std::string, Tensor> &states);

  /// The vocabulary size ids are checked against (0 = unchecked).
  void setVocab(int64_t v) { vocab = v; }

  /// --check: compare each SSD, conv1d and RMSNorm launch with the float64
  /// reference (slow; for verification, not for serving).
  void enableReferenceCheck() { check = std::make_unique<ReferenceCheck>(); }
  const ReferenceCheck *referenceCheck() const { return check.get(); }

private:
  WeightLookup weights;
  const cpu::KernelTable *kernels;
  int64_t vocab = 0;
  std::unique_ptr<ReferenceCheck> check;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CPU_CPUEXECUTOR_H
