//===- ConfigJson.cpp - ModelConfig → JSON for the artifact manifest ------===//

#include "frontend/ModelConfig.h"

#include <cmath>

using namespace llvm;

namespace ssdc::frontend {

/// JSON has no infinity; write it as transformers does.
static json::Value number(double d) {
  if (std::isinf(d))
    return json::Object{{"__float__", d > 0 ? "Infinity" : "-Infinity"}};
  return d;
}

json::Value toJSON(const ModelConfig &c) {
  json::Array layers;
  for (LayerKind k : c.layers)
    layers.push_back(k == LayerKind::Mamba2 ? "mamba2" : "attention");
  const SSMConfig &s = c.ssm;
  json::Object ssm{{"d_state", s.dState},       {"d_conv", s.dConv},
                   {"expand", s.expand},        {"headdim", s.headDim},
                   {"ngroups", s.nGroups},      {"chunk_size", s.chunkSize},
                   {"d_inner", s.dInner},       {"nheads", s.nHeads},
                   {"rmsnorm", s.rmsNorm},      {"norm_before_gate", s.normBeforeGate},
                   {"D_has_hdim", s.dHasHdim},  {"bias", s.bias},
                   {"conv_bias", s.convBias},
                   {"dt_limit", json::Array{number(s.dtMin), number(s.dtMax)}}};
  json::Object out{{"format", c.format},
                   {"d_model", c.dModel},
                   {"n_layer", c.nLayers},
                   {"vocab_size", c.vocabSize},
                   {"d_intermediate", c.dIntermediate},
                   {"norm_eps", c.normEps},
                   {"residual_in_fp32", c.residualInFp32},
                   {"tie_embeddings", c.tieEmbeddings},
                   {"ssm", std::move(ssm)},
                   {"layers", std::move(layers)}};
  if (c.countLayers(LayerKind::Attention) > 0) {
    const AttentionConfig &a = c.attn;
    out["attention"] = json::Object{
        {"num_heads", a.numHeads},     {"num_heads_kv", a.numHeadsKV},
        {"head_dim", a.headDim},       {"rotary_dim", a.rotaryDim},
        {"rotary_base", a.rotaryBase}, {"d_conv", a.dConv},
        {"qkv_bias", a.qkvBias},       {"out_bias", a.outBias},
        {"softmax_scale", a.softmaxScale}};
  }
  return out;
}

} // namespace ssdc::frontend
