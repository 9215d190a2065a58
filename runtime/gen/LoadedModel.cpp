// Loading an artifact and its weights, with every check done before running.
#include "runtime/gen/LoadedModel.h"

#include "ssdc/template_abi.h"

#include "runtime/core/Error.h"

#include "ssdc/weights/WeightsError.h"

#ifdef SSDC_HAVE_CUDA_RUNTIME
#include "runtime/cuda/CudaExecutor.h"
#include "runtime/gen/CudaDecoder.h"
#else
namespace ssdc::rt {

class CudaExecutor {};  // this build has no CUDA runtime; never constructed
} // namespace ssdc::rt
#endif

#include <cstdlib>
#include <set>

namespace ssdc::rt {

namespace {

/// A CUDA artifact's kernels must come from this build's device templates:
/// the executor launches them with its own geometry (ssdc/*_launch.h), and a
/// kernel built for another block shape reads and writes out of bounds.
void checkTemplateAbi(const std::string &dir, const nlohmann::json &m) {
  const auto at = "/cuda_kernels/template_abi"_json_pointer;
  std::string have = m.contains(at) && m[at].is_string() ? m[at].get<std::string>() : "";
  if (have == SSDC_CUDA_TEMPLATE_ABI)
    return;
  throw RuntimeError(dir + "/manifest.json: cuda_kernels.template_abi is " +
                     (have.empty() ? std::string("missing (an artifact of an older ssdc)")
                                   : "'" + have + "'") +
                     ", but this runtime was built from device templates '" +
                     SSDC_CUDA_TEMPLATE_ABI +
                     "': its kernels would run with launch shapes they were not built "
                     "for; recompile the artifact with this ssdc (ssdc compile MODEL "
                     "--target cuda ...)");
}

} // namespace

LoadedModel::LoadedModel(const std::string &artifactDir,
                         const std::string &weightsPath,
                         const std::string &device, bool checkWeights)
    : artifact_(loadArtifact(artifactDir, device)) {
  bool supported = false;
#ifdef SSDC_HAVE_CPU_RUNTIME
  supported |= device == "cpu";
#endif
#ifdef SSDC_HAVE_CUDA_RUNTIME
  supported |= device == "cuda";
#endif
  if (!supported)
    throw RuntimeError("device '" + device + "' is not supported by this build");
  // The CUDA executor stores each buffer in its plan dtype (bf16/f16
  // activations and matmul weights, f32 states); the CPU runtime is f32-only.
  if (artifact_.dtype != "f32" &&
      !(device == "cuda" && (artifact_.dtype == "bf16" || artifact_.dtype == "f16")))
    throw RuntimeError(artifactDir + ": compiled with --dtype " + artifact_.dtype +
                       "; the " + device + " runtime runs f32 artifacts" +
                       (device == "cuda" ? " and bf16/f16 ones" : ""));
  if (device == "cuda")
    checkTemplateAbi(artifactDir, artifact_.manifest);
  if (artifact_.manifest.contains("config"))
    vocab_ = artifact_.manifest["config"].value("vocab_size", int64_t(0));
  try {
    weights_ = std::make_unique<WeightSet>(WeightSet::open(weightsPath));
    // Every weight of every entry, once, with the shape the plan expects.
    std::map<std::string, std::vector<int64_t>> wanted;
    for (const Entry &e : artifact_.plan.entries)
      for (const Buffer &b : e.buffers)
        if (b.kind == BufferKind::Weight) {
          std::vector<int64_t> shape;
          for (const Dim &d : b.shape)
            shape.push_back(d.size);
          auto [it, fresh] = wanted.emplace(b.weightName, shape);
          if (!fresh && it->second != shape)
            throw RuntimeError(artifactDir + "/plan.json: weight '" + b.weightName +
                               "' is used with two shapes");
        }
    std::vector<std::string> names;
    for (const auto &[name, shape] : wanted) {
      loaded_.emplace(name, weights_->requireSqueezed(name, shape));
      names.push_back(name);
    }
    std::vector<std::string> unused = weights_->unusedTensors(names);
    if (!unused.empty())
      throw RuntimeError(weights_->describeUnused(unused));
    if (checkWeights)
      weights_->checkFinite(names);
  } catch (const WeightsError &e) {
    throw RuntimeError(e.what());
  }
#ifdef SSDC_HAVE_CUDA_RUNTIME
  if (device == "cuda") {
    // Each weight in every dtype the plan reads it in.
    std::map<std::string, std::set<std::string>> dtypes;
    for (const Entry &e : artifact_.plan.entries)
      for (const Buffer &b : e.buffers)
        if (b.kind == BufferKind::Weight)
          dtypes[b.weightName].insert(b.dtype.empty() ? "f32" : b.dtype);
    std::vector<HostWeight> upload;
    for (const auto &[name, t] : loaded_) {
      int64_t n = 1;
      for (int64_t d : t.shape())
        n *= d;
      for (const std::string &dt : dtypes[name])
        upload.push_back({name, t.data(), n, dt});
    }
    // The manifest's file is null when ssdc compile found no nvcc: the
    // executor then compiles kernels.cu with NVRTC (runtime/cuda/Nvrtc.cpp).
    const auto fileAt = "/cuda_kernels/file"_json_pointer;
    const nlohmann::json &m = artifact_.manifest;
    cuda_ = std::make_unique<CudaExecutor>(
        artifactDir + "/" +
            (m.contains(fileAt) && m[fileAt].is_string() ? m[fileAt].get<std::string>()
                                                          : std::string("kernels.fatbin")),
        upload);
    cuda_->setVocab(vocab_);
    return;
  }
#endif
#ifdef SSDC_HAVE_CPU_RUNTIME
  kernels_ = std::make_unique<KernelLibrary>(
      artifactDir + "/" +
      artifact_.manifest.value("/cpu_kernels/file"_json_pointer,
                               std::string("libkernels.so")));
  executor_ = std::make_unique<CpuExecutor>(
      [this](const std::string &name, const std::vector<int64_t> &) {
        auto it = loaded_.find(name);
        if (it == loaded_.end())
          throw RuntimeError("weight '" + name + "' was not loaded");
        return it->second.data();
      },
      kernels_->table());
  executor_->setVocab(vocab_);
#endif
}

LoadedModel::~LoadedModel() = default;


std::unique_ptr<Decoder> LoadedModel::decoder() {
#ifdef SSDC_HAVE_CUDA_RUNTIME
  const char *resident = std::getenv("SSDC_CUDA_RESIDENT");
  if (cuda_ && !(resident && std::string(resident) == "0"))
    return std::make_unique<CudaDecoder>(*cuda_);
#endif
  return std::make_unique<HostDecoder>(runner());
}

RunStep LoadedModel::runner() {
#ifdef SSDC_HAVE_CUDA_RUNTIME
  if (cuda_)
    return [this](const Entry &e, const std::vector<int64_t> &ids, int64_t b,
                  int64_t l, const std::map<std::string, Tensor> &states) {
      return cuda_->run(e, ids, b, l, states);
    };
#endif
#ifdef SSDC_HAVE_CPU_RUNTIME
  return [this](const Entry &e, const std::vector<int64_t> &ids, int64_t b, int64_t l,
                const std::map<std::string, Tensor> &states) {
    return executor_->run(e, ids, b, l, states);
  };
#else
  throw RuntimeError("this build has no CPU runtime");
#endif
}

} // namespace ssdc::rt
