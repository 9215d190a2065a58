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
#include <vector>

namespace ssdc {
namespace cuda {

struct KernelInstance {
  std::string name;       ///< e.g. "ssdc_chunk_state_q256_f32", "ssdc_rmsnorm_f32_f32_bf16"
  std::string header;     ///< the device template's file
  std::string params;     ///< the parameter struct
  std::string call;       ///< the template instantiation, e.g. "chunkStateKernel<256, float, float>"
};

/// The device type of a plan dtype ("" when there is none).
inline std::string deviceType(const std::string &dtype) {
  if (dtype == "f32") return "float";
  if (dtype == "bf16") return "__nv_bfloat16";
  if (dtype == "f16") return "__half";
  return "";
}

/// "in1, in2 -> out1" for messages about a launch's operand dtypes.
inline std::string dtypeSignature(const std::vector<std::string> &ins,
                                  const std::vector<std::string> &outs) {
  std::string sig;
  for (const std::string &d : ins)
    sig += (sig.empty() ? "" : ", ") + d;
  sig += " -> ";
  for (size_t i = 0; i < outs.size(); ++i)
    sig += (i ? ", " : "") + outs[i];
  return sig;
}

/// Index into a launch's inputs of operand group `group` (optional operands:
/// the launch's "operand_segments" attribute), -1 when absent.
inline int operandIndex(const nlohmann::json &attrs, size_t inputs, size_t group) {
  if (!attrs.contains("operand_segments"))
    return group < inputs ? static_cast<int>(group) : -1;
  const nlohmann::json &seg = attrs["operand_segments"];
  if (group >= seg.size())
    return -1;
  int at = 0;
  for (size_t g = 0; g < group; ++g)
    at += seg[g].get<int>();
  return seg[group].get<int>() ? at : -1;
}

/// A plan launch's attributes with the head dims the attention kernel is
/// instantiated on (q's and v's static last dimensions).
inline nlohmann::json attentionAttrs(const nlohmann::json &attrs, int64_t headdim,
                                     int64_t vHeaddim) {
  nlohmann::json a = attrs;
  a["head_dim"] = headdim;
  a["v_head_dim"] = vHeaddim;
  return a;
}

/// The kernel for `op` with `attrs` (a plan launch) whose input and output
/// buffers have the dtypes `in` and `out` ("f32", "bf16", "f16", "i64"), or
/// nothing when the op runs elsewhere (ssd.linear: cuBLAS) or has no kernel
/// for those dtypes. The name ends in the storage types of the operands the
/// template is instantiated on: one dtype when they agree ("_f32"), else all
/// of them in template order ("_f32_f32_bf16"). Operands the templates read
/// as float (A, D, dt bias, states, cumsums) must be f32: the executor
/// checks them.
inline std::optional<KernelInstance> kernelFor(const std::string &op,
                                               const nlohmann::json &attrs,
                                               const std::vector<std::string> &in,
                                               const std::vector<std::string> &out) {
  auto inAt = [&](size_t group) -> std::string {
    int i = operandIndex(attrs, in.size(), group);
    return i < 0 ? std::string() : in[static_cast<size_t>(i)];
  };
  auto outAt = [&](size_t i) { return i < out.size() ? out[i] : std::string(); };
  // The template's storage types; empty when one is missing or unsupported.
  auto types = [&](std::vector<std::string> dts, std::string &suffix,
                   std::string &args) {
    suffix.clear();
    args.clear();
    bool same = true;
    for (const std::string &d : dts) {
      if (deviceType(d).empty())
        return false;
      same &= d == dts[0];
      args += ", " + deviceType(d);
    }
    if (same && !dts.empty())
      suffix = "_" + dts[0];
    else
      for (const std::string &d : dts)
        suffix += "_" + d;
    return true;
  };
  std::optional<KernelInstance> none;
  auto make = [&](std::string base, std::string header, std::string params,
                  std::string tmpl, std::vector<std::string> dts,
                  std::string lead = "") -> std::optional<KernelInstance> {
    std::string suffix, args;
    if (!types(dts, suffix, args))
      return std::nullopt;
    if (lead.empty())
      args = args.substr(2);  // drop the leading ", "
    return KernelInstance{"ssdc_" + base + suffix, header, params,
                          tmpl + "<" + lead + args + ">"};
  };
  auto unary = [&](const char *name, const char *which) {
    return make(std::string("unary_") + name, "elementwise.cuh", "UnaryParams",
                "unaryKernel", {inAt(0), outAt(0)}, std::string("Unary::") + which);
  };
  auto chunk = [&]() { return std::to_string(attrs.value("chunk_size", int64_t(0))); };
  if (op == "ssd.exp") return unary("exp", "Exp");
  if (op == "ssd.neg") return unary("neg", "Neg");
  if (op == "ssd.silu") return unary("silu", "Silu");
  if (op == "ssd.softplus") return unary("softplus", "Softplus");
  if (op == "ssd.clamp") return unary("clamp", "Clamp");
  if (op == "ssd.cast") return unary("copy", "Copy");
  if (op == "ssd.add")
    return make("binary_add", "elementwise.cuh", "BinaryParams", "binaryKernel",
                {inAt(0), inAt(1), outAt(0)}, "false");
  if (op == "ssd.mul")
    return make("binary_mul", "elementwise.cuh", "BinaryParams", "binaryKernel",
                {inAt(0), inAt(1), outAt(0)}, "true");
  if (op == "ssd.split.copy") {  // a column view materialised (not a plan op)
    if (inAt(0) != outAt(0))
      return none;
    return make("copy_columns", "elementwise.cuh", "CopyColumnsParams",
                "copyColumnsKernel", {inAt(0)});
  }
  if (op == "ssd.embedding") {
    if (inAt(0) != outAt(0))
      return none;
    return make("embedding", "embedding.cuh", "EmbeddingParams", "embeddingKernel",
                {inAt(0)});
  }
  if (op == "ssd.rmsnorm") {
    std::string z = inAt(2).empty() ? inAt(0) : inAt(2);
    return make("rmsnorm", "rmsnorm.cuh", "RmsnormParams", "rmsnormKernel",
                {inAt(0), inAt(1), z, outAt(0)});
  }
  if (op == "ssd.conv1d") {
    if (!inAt(2).empty() && inAt(2) != inAt(1))
      return none;  // the bias has the weight's type
    return make("conv1d", "conv1d.cuh", "Conv1dParams", "conv1dKernel",
                {inAt(0), inAt(1), outAt(0)});
  }
  if (op == "ssd.ssm") {
    if (inAt(4) != inAt(3))
      return none;  // C has B's type
    std::string kind = "recurrent";
    if (attrs.contains("schedule"))
      kind = attrs["schedule"].value("kind", kind);
    std::vector<std::string> dts{inAt(0), inAt(1), inAt(3), outAt(0)};
    if (kind == "recurrent")
      return make("ssm_recurrent", "ssm_recurrent.cuh", "SsmParams",
                  "ssmRecurrentKernel", dts);
    if (kind == "quadratic")
      return make("ssm_quadratic", "ssm_quadratic.cuh", "SsmParams",
                  "ssmQuadraticKernel", dts);
    if (kind == "chunked") {
      // The fused chunked kernel (ssd_fused.cuh), instantiated on Q and the
      // head dim / state size the plan records (compile-time tile shapes).
      int64_t q = attrs["schedule"].value("chunk_size", int64_t(0));
      int64_t p = attrs.value("headdim", int64_t(0)), n = attrs.value("dstate", int64_t(0));
      if (q <= 0 || p <= 0 || n <= 0)
        return none;
      std::string qpn = std::to_string(q) + ", " + std::to_string(p) + ", " + std::to_string(n);
      return make("ssm_chunked_fused_q" + std::to_string(q) + "_p" + std::to_string(p) +
                      "_n" + std::to_string(n),
                  "ssd_fused.cuh", "SsmParams", "ssmChunkedFusedKernel", dts, qpn);
    }
    return none;
  }
  if (op == "ssd.chunk_cumsum")
    return make("chunk_cumsum_q" + chunk(), "chunk_cumsum.cuh", "ChunkCumsumParams",
                "chunkCumsumKernel", {inAt(0)}, chunk());
  if (op == "ssd.chunk_state")
    return make("chunk_state_q" + chunk(), "chunk_state.cuh", "ChunkStateParams",
                "chunkStateKernel", {inAt(0), inAt(1)}, chunk());
  if (op == "ssd.state_pass") {
    if (inAt(0) != "f32")
      return none;  // chunk states are f32
    return KernelInstance{"ssdc_state_pass_q" + chunk() + "_sequential_f32",
                          "state_pass.cuh", "StatePassParams",
                          "statePassKernel<" + chunk() + ">"};
  }
  if (op == "ssd.chunk_output") {
    if (inAt(1) != inAt(0))
      return none;  // k has q's type
    std::string skip = inAt(5).empty() ? inAt(2) : inAt(5);
    return make("chunk_output_q" + chunk(), "chunk_output.cuh", "ChunkOutputParams",
                "chunkOutputKernel", {inAt(0), inAt(2), skip, outAt(0)}, chunk());
  }
  if (op == "ssd.attention" || op == "ssd.attention.cache") {
    // Two kernels per launch (attention.cuh): "ssd.attention.cache" appends
    // this call's k, v to the cache, "ssd.attention" attends; the head dims
    // come from attentionAttrs (the plan's buffer shapes). q, k, v share a
    // type; past_k, past_v, keys, values another.
    std::string tq = inAt(0), tc = outAt(1);
    if (inAt(1) != tq || inAt(2) != tq || outAt(2) != tc ||
        (!inAt(3).empty() && (inAt(3) != tc || inAt(4) != tc)))
      return none;
    if (op == "ssd.attention.cache")
      return make("attention_cache", "attention.cuh", "AttentionParams",
                  "attentionCacheKernel", {tq, tc});
    int64_t d = attrs.value("head_dim", int64_t(0)), dv = attrs.value("v_head_dim", d);
    if (d <= 0 || dv <= 0 || d > 256 || dv > 256)
      return none;  // shared memory holds a 16-row tile of q and 32 keys
    std::string dims = std::to_string(d) + ", " + std::to_string(dv);
    return make("attention_d" + std::to_string(d) +
                    (dv == d ? std::string() : "_dv" + std::to_string(dv)),
                "attention.cuh", "AttentionParams", "attentionKernel",
                {tq, tc, outAt(0)}, dims);
  }
  return none;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_KERNELS_H
