// Runs one entry function of a plan on an NVIDIA GPU: the same Plan the CPU
// executor runs, with the artifact's generated kernels (kernels.fatbin,
// loaded with the driver API and launched by name), cuBLAS for the dense
// projections (fp32 GEMMs; bf16/f16 operands with fp32 accumulation),
// weights uploaded once at construction in the plan's storage dtypes. No MLIR, no compiler.
// Every CUDA call is checked; errors name the kernel, the launch and the entry.
#ifndef SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H
#define SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H

#include "runtime/core/Plan.h"
#include "runtime/core/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssdc::rt {

struct RunResult;

/// One weight as it is uploaded: f32 host data of `count` elements, stored
/// on the device as `dtype` ("f32", "bf16" or "f16": the plan buffer's
/// dtype; rounded to nearest even). A weight the plan uses in two dtypes is
/// listed twice.
struct HostWeight {
  std::string name;
  const float *data = nullptr;
  int64_t count = 0;
  std::string dtype = "f32";
};

class CudaExecutor {
public:
  /// Loads `fatbinPath` (the artifact's kernels.fatbin) on device 0 and
  /// uploads every weight once.
  CudaExecutor(const std::string &fatbinPath, const std::vector<HostWeight> &weights);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor &) = delete;
  CudaExecutor &operator=(const CudaExecutor &) = delete;

  /// Same contract as CpuExecutor::run: token ids [b, l], states by name
  /// (host, f32); returns logits and the final states on the host (as f32,
  /// whatever their device dtype).
  RunResult run(const Entry &entry, const std::vector<int64_t> &ids,
                int64_t batch, int64_t length,
                const std::map<std::string, Tensor> &states);

  void setVocab(int64_t v) { vocab = v; }

  /// The device's name, for reports.
  std::string deviceName() const;

  struct Impl;

private:
  std::unique_ptr<Impl> impl;
  int64_t vocab = 0;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H
