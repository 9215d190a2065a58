// An artifact with its weights, ready to run on the CPU: every weight the plan
// names is loaded and shape-checked up front (missing, mis-shaped and extra
// tensors are errors before anything runs), then the executor is built.
#ifndef SSDC_RUNTIME_GEN_LOADEDMODEL_H
#define SSDC_RUNTIME_GEN_LOADEDMODEL_H

#include "runtime/core/Artifact.h"
#include "runtime/cpu/CpuExecutor.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/gen/Generate.h"

#include "ssdc/weights/WeightSet.h"

#include <map>
#include <memory>
#include <string>

namespace ssdc::rt {

class CudaExecutor;

class LoadedModel {
public:
  /// `weightsPath`: a model directory or one .safetensors file. With
  /// `checkWeights`, every weight is also scanned for NaN/Inf.
  LoadedModel(const std::string &artifactDir, const std::string &weightsPath,
              const std::string &device, bool checkWeights);
  ~LoadedModel();

  const Artifact &artifact() const { return artifact_; }
  /// The CPU executor; null when the model runs on another device.
  CpuExecutor *cpuExecutor() { return executor_.get(); }
  /// Runs an entry on the model's device (--device cpu or cuda); states
  /// to and from the host.
  RunStep runner();
  /// Generation's prefill and decode steps: on --device cuda the states stay
  /// on the GPU (a CudaSession; decode steps replay a CUDA graph) unless
  /// SSDC_CUDA_RESIDENT=0; otherwise through runner().
  std::unique_ptr<Decoder> decoder();
  /// The CUDA executor; null when the model runs on another device.
  CudaExecutor *cudaExecutor() { return cuda_.get(); }
  /// The vocabulary size from the manifest's config (0 if unknown).
  int64_t vocab() const { return vocab_; }
  /// True for byte-level models (vocab 256): text in, text out.
  bool byteLevel() const { return vocab_ == 256; }

private:
  Artifact artifact_;
  std::unique_ptr<WeightSet> weights_;
  std::map<std::string, F32Tensor> loaded_;
  std::unique_ptr<KernelLibrary> kernels_;
  std::unique_ptr<CpuExecutor> executor_;
  std::unique_ptr<CudaExecutor> cuda_;
  int64_t vocab_ = 0;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_GEN_LOADEDMODEL_H
