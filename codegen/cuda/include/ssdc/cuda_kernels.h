// Which generated CUDA kernel runs a plan launch: the deterministic kernel
// name and the device template it instantiates. Header-only and free of MLIR
// and CUDA: the emitter (codegen/cuda/CudaEmitter.cpp) writes one
// `extern "C" __global__` per distinct instance, and the CUDA executor
// (runtime/cuda) looks the same name up in the artifact's fatbin.
#ifndef SSDC_CUDA_KERNELS_H
#define SSDC_CUDA_KERNELS_H

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ssdc {
namespace cuda {

struct KernelInstance {
  std::string name;       ///< e.g. "ssdc_chunk_state_q256_f32"
  std::string header;     ///< the device template's file
  std::string params;     ///< the parameter struct
  std::string call;       ///< the template instantiation, e.g. "chunkStateKernel<256, float>"
};

/// The kernel for `op` with `attrs` (a plan launch) in `dtype` ("f32"), or
/// nothing when the op runs elsewhere (ssd.linear: cuBLAS) or has no kernel.
inline std::optional<KernelInstance> kernelFor(const std::string &op,
                                               const nlohmann::json &attrs,
                                               const std::string &dtype) {
  const std::string t = dtype == "f32" ? "float" : "";
  if (t.empty())
    return std::nullopt;
  auto make = [&](std::string base, std::string header, std::string params,
                  std::string call) {
    return KernelInstance{"ssdc_" + base + "_" + dtype, header, params, call};
  };
  auto unary = [&](const char *name, const char *which) {
    return make(std::string("unary_") + name, "elementwise.cuh", "UnaryParams",
                std::string("unaryKernel<Unary::") + which + ", " + t + ">");
  };
  auto chunk = [&]() { return std::to_string(attrs.value("chunk_size", int64_t(0))); };
  if (op == "ssd.exp") return unary("exp", "Exp");
  if (op == "ssd.neg") return unary("neg", "Neg");
  if (op == "ssd.silu") return unary("silu", "Silu");
  if (op == "ssd.softplus") return unary("softplus", "Softplus");
  if (op == "ssd.clamp") return unary("clamp", "Clamp");
  if (op == "ssd.cast") return unary("copy", "Copy");
  if (op == "ssd.add")
    return make("binary_add", "elementwise.cuh", "BinaryParams",
                "binaryKernel<false, " + t + ">");
  if (op == "ssd.mul")
    return make("binary_mul", "elementwise.cuh", "BinaryParams",
                "binaryKernel<true, " + t + ">");
  if (op == "ssd.split.copy")  // a column view materialised (not a plan op)
    return make("copy_columns", "elementwise.cuh", "CopyColumnsParams",
                "copyColumnsKernel<" + t + ">");
  if (op == "ssd.embedding")
    return make("embedding", "embedding.cuh", "EmbeddingParams",
                "embeddingKernel<" + t + ">");
  if (op == "ssd.rmsnorm")
    return make("rmsnorm", "rmsnorm.cuh", "RmsnormParams", "rmsnormKernel<" + t + ">");
  if (op == "ssd.conv1d")
    return make("conv1d", "conv1d.cuh", "Conv1dParams", "conv1dKernel<" + t + ">");
  if (op == "ssd.ssm") {
    std::string kind = "recurrent";
    if (attrs.contains("schedule"))
      kind = attrs["schedule"].value("kind", kind);
    if (kind == "recurrent")
      return make("ssm_recurrent", "ssm_recurrent.cuh", "SsmParams",
                  "ssmRecurrentKernel<" + t + ">");
    if (kind == "quadratic")
      return make("ssm_quadratic", "ssm_quadratic.cuh", "SsmParams",
                  "ssmQuadraticKernel<" + t + ">");
    return std::nullopt;  // chunked ssd.ssm is decomposed for CUDA targets
  }
  if (op == "ssd.chunk_cumsum")
    return make("chunk_cumsum_q" + chunk(), "chunk_cumsum.cuh", "ChunkCumsumParams",
                "chunkCumsumKernel<" + chunk() + ", " + t + ">");
  if (op == "ssd.chunk_state")
    return make("chunk_state_q" + chunk(), "chunk_state.cuh", "ChunkStateParams",
                "chunkStateKernel<" + chunk() + ", " + t + ">");
  if (op == "ssd.state_pass")
    return make("state_pass_q" + chunk() + "_sequential", "state_pass.cuh",
                "StatePassParams", "statePassKernel<" + chunk() + ", " + t + ">");
  if (op == "ssd.chunk_output")
    return make("chunk_output_q" + chunk(), "chunk_output.cuh", "ChunkOutputParams",
                "chunkOutputKernel<" + chunk() + ", " + t + ">");
  return std::nullopt;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_KERNELS_H
