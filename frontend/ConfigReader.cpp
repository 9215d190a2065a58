//===- ConfigReader.cpp - HF and mamba_ssm config.json → ModelConfig ------===//
//
// Field names and defaults follow transformers' Mamba2Config and mamba_ssm's
// MambaConfig / Mamba2 / MHA constructors (REFERENCE.md). Consistency rules:
// d_inner = expand · d_model, d_inner % headdim == 0 (mamba_ssm) or
// num_heads · head_dim == d_inner (HF), heads % groups == 0.
//
//===----------------------------------------------------------------------===//

#include "frontend/JsonFields.h"
#include "frontend/ModelConfig.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ssdc::frontend {

int64_t ModelConfig::countLayers(LayerKind kind) const {
  return std::count(layers.begin(), layers.end(), kind);
}

static Error configError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Rules shared by both formats, checked after reading.
static Error checkSSM(const ModelConfig &c, StringRef headDimField,
                      StringRef groupsField) {
  const SSMConfig &s = c.ssm;
  if (s.dInner % s.headDim != 0)
    return configError(c.sourceFile + ": d_inner = expand * d_model = " +
                       Twine(s.dInner) + " is not divisible by " +
                       headDimField + " = " + Twine(s.headDim));
  if (s.nHeads % s.nGroups != 0)
    return configError(c.sourceFile + ": the number of heads " +
                       Twine(s.nHeads) + " is not divisible by " +
                       groupsField + " = " + Twine(s.nGroups));
  if (!(s.dtMin >= 0 && s.dtMin <= s.dtMax))
    return configError(c.sourceFile +
                       ": the dt limit must satisfy 0 <= min <= max, got [" +
                       std::to_string(s.dtMin) + ", " +
                       std::to_string(s.dtMax) + "]");
  return Error::success();
}

static void readHF(JsonFields &f, ModelConfig &c) {
  c.format = "hf-mamba2";
  if (std::optional<std::string> type = f.optString("model_type");
      type && *type != "mamba2")
    f.failMessage("field 'model_type': expected \"mamba2\", got \"" + *type +
                  "\"");
  c.dModel = f.positiveInt("hidden_size");
  c.nLayers = f.positiveInt("num_hidden_layers");
  c.vocabSize = f.positiveInt("vocab_size");
  SSMConfig &s = c.ssm;
  s.dState = f.optInt("state_size", 128, 1);
  s.expand = f.optInt("expand", 2, 1);
  s.headDim = f.optInt("head_dim", 64, 1);
  s.nGroups = f.optInt("n_groups", 8, 1);
  s.dConv = f.optInt("conv_kernel", 4, 1);
  s.chunkSize = f.optInt("chunk_size", 256, 1);
  s.bias = f.optBool("use_bias", false);
  s.convBias = f.optBool("use_conv_bias", true);
  s.rmsNorm = f.optBool("rms_norm", true);
  s.normBeforeGate = f.optBool("norm_before_gate", false);
  f.optNumberPair("time_step_limit", s.dtMin, s.dtMax);
  c.normEps = f.optPositive("layer_norm_epsilon", 1e-5);
  c.residualInFp32 = f.optBool("residual_in_fp32", true);
  c.tieEmbeddings = f.optBool("tie_word_embeddings", false);
  s.dInner = s.expand * c.dModel;
  int64_t heads = f.optInt("num_heads", s.dInner / s.headDim, 1);
  if (!f.error() && heads * s.headDim != s.dInner)
    f.failMessage("num_heads * head_dim = " + Twine(heads) + " * " +
                  Twine(s.headDim) + " = " + Twine(heads * s.headDim) +
                  " must equal d_inner = expand * hidden_size = " +
                  Twine(s.dInner));
  s.nHeads = heads;
  c.layers.assign(c.nLayers, LayerKind::Mamba2);
  // Fields transformers writes that do not change the computed function.
  f.ignore({"architectures", "bos_token_id", "eos_token_id", "pad_token_id",
            "torch_dtype", "dtype", "transformers_version", "initializer_range",
            "rescale_prenorm_residual", "time_step_rank", "time_step_min",
            "time_step_max", "time_step_floor", "use_cache", "hidden_act",
            "_name_or_path", "output_hidden_states", "output_attentions",
            "return_dict", "tie_embeddings"});
}

static void readAttention(JsonFields &parent, const json::Object &o,
                          ModelConfig &c) {
  JsonFields a(c.sourceFile, o, "attn_cfg");
  AttentionConfig &at = c.attn;
  at.numHeads = a.positiveInt("num_heads");
  at.numHeadsKV = a.optInt("num_heads_kv", at.numHeads, 1);
  at.headDim = a.optInt("head_dim", c.dModel / std::max<int64_t>(at.numHeads, 1), 1);
  at.rotaryDim = a.optInt("rotary_emb_dim", 0, 0);
  at.rotaryBase = a.optPositive("rotary_emb_base", 10000.0);
  at.dConv = a.optInt("d_conv", 0, 0);
  at.qkvBias = a.optBool("qkv_proj_bias", true);
  at.outBias = a.optBool("out_proj_bias", true);
  at.softmaxScale = a.optPositive("softmax_scale", 0.0);
  a.ignore({"causal"});
  if (a.optInt("mlp_dim", 0, 0) != 0)
    a.failMessage("field 'attn_cfg.mlp_dim': expected 0 (MHA with a fused "
                  "MLP is not supported)");
  if (a.optBool("rotary_emb_interleaved", false))
    a.failMessage("field 'attn_cfg.rotary_emb_interleaved': expected false "
                  "(interleaved RoPE is not supported)");
  if (!a.error() && at.numHeads % at.numHeadsKV != 0)
    a.failMessage("attn_cfg: num_heads = " + Twine(at.numHeads) +
                  " is not divisible by num_heads_kv = " +
                  Twine(at.numHeadsKV));
  if (!a.error() && (at.rotaryDim % 2 != 0 || at.rotaryDim > at.headDim))
    a.failMessage("field 'attn_cfg.rotary_emb_dim': expected an even number "
                  "<= head_dim = " + Twine(at.headDim) + ", got " +
                  Twine(at.rotaryDim));
  parent.merge(a);
  for (std::string &u : a.unread())
    c.ignoredFields.push_back(u);
}

static void readMambaSSM(JsonFields &f, ModelConfig &c) {
  c.format = "mamba_ssm";
  c.dModel = f.positiveInt("d_model");
  c.nLayers = f.positiveInt("n_layer");
  int64_t vocab = f.positiveInt("vocab_size");
  int64_t pad = f.optInt("pad_vocab_size_multiple", 8, 1);
  c.vocabSize = (vocab + pad - 1) / pad * pad;
  c.dIntermediate = f.optInt("d_intermediate", 0, 0);
  c.residualInFp32 = f.optBool("residual_in_fp32", true);
  c.tieEmbeddings = f.optBool("tie_embeddings", true);
  if (!f.optBool("rms_norm", true))
    f.failMessage("field 'rms_norm': expected true (LayerNorm models are not "
                  "supported)");
  // Kernel choices and padding in mamba_ssm: the same function either way.
  f.ignore({"fused_add_norm", "architectures", "model_type", "torch_dtype"});
  SSMConfig &s = c.ssm;
  // mamba_ssm's Mamba2 defaults.
  s.dState = 128;
  s.nGroups = 1;
  s.chunkSize = 256;
  if (const json::Object *ssm = f.optObject("ssm_cfg")) {
    JsonFields g(c.sourceFile, *ssm, "ssm_cfg");
    std::string layer = g.optString("layer").value_or("Mamba1");
    if (layer != "Mamba2")
      g.failMessage("field 'ssm_cfg.layer': unknown layer type \"" + layer +
                    "\", expected \"Mamba2\"");
    s.dState = g.optInt("d_state", 128, 1);
    s.dConv = g.optInt("d_conv", 4, 1);
    s.expand = g.optInt("expand", 2, 1);
    s.headDim = g.optInt("headdim", 64, 1);
    s.nGroups = g.optInt("ngroups", 1, 1);
    s.chunkSize = g.optInt("chunk_size", 256, 1);
    s.rmsNorm = g.optBool("rmsnorm", true);
    s.normBeforeGate = g.optBool("norm_before_gate", false);
    s.dHasHdim = g.optBool("D_has_hdim", false);
    s.bias = g.optBool("bias", false);
    s.convBias = g.optBool("conv_bias", true);
    g.optNumberPair("dt_limit", s.dtMin, s.dtMax);
    if (g.has("d_ssm")) {
      int64_t dSsm = g.optInt("d_ssm", 0, 1);
      if (dSsm != s.expand * c.dModel)
        g.failMessage("field 'ssm_cfg.d_ssm': expected d_ssm = d_inner = " +
                      Twine(s.expand * c.dModel) +
                      " (a partial SSM is not supported), got " + Twine(dSsm));
    }
    // Initialisation and kernel options: no effect on the function.
    g.ignore({"dt_min", "dt_max", "dt_init_floor", "A_init_range",
              "use_mem_eff_path", "sequence_parallel", "process_group",
              "activation"});
    if (std::optional<std::string> act = g.optString("activation");
        act && *act != "silu" && *act != "swish")
      g.failMessage("field 'ssm_cfg.activation': expected \"silu\", got \"" +
                    *act + "\"");
    f.merge(g);
    for (std::string &u : g.unread())
      c.ignoredFields.push_back(u);
  } else if (!f.error()) {
    f.failMessage("missing field 'ssm_cfg' (an object with \"layer\": "
                  "\"Mamba2\")");
  }
  s.dInner = s.expand * c.dModel;
  s.nHeads = s.dInner / s.headDim;

  c.layers.assign(c.nLayers, LayerKind::Mamba2);
  std::vector<int64_t> attnIdx = f.optIntList("attn_layer_idx");
  for (int64_t i : attnIdx) {
    if (i >= c.nLayers) {
      f.failMessage("field 'attn_layer_idx': layer " + Twine(i) +
                    " does not exist (n_layer = " + Twine(c.nLayers) + ")");
      break;
    }
    c.layers[i] = LayerKind::Attention;
  }
  const json::Object *attn = f.optObject("attn_cfg");
  if (!attnIdx.empty()) {
    if (!attn)
      f.failMessage("missing field 'attn_cfg' (attn_layer_idx names "
                    "attention layers)");
    else
      readAttention(f, *attn, c);
  }
}

Expected<ModelConfig> parseModelConfig(StringRef text, StringRef fileName) {
  std::string normalised = normaliseInfinity(text);
  Expected<json::Value> parsed = json::parse(normalised);
  if (!parsed)
    return configError(fileName + ": not valid JSON: " +
                       toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return configError(fileName + ": expected a JSON object at the top level");

  ModelConfig c;
  c.sourceFile = fileName.str();
  JsonFields f(fileName, *root);
  bool mambaSSM = f.has("d_model") || f.has("ssm_cfg");
  bool hf = f.has("hidden_size") || f.has("model_type");
  if (mambaSSM)
    readMambaSSM(f, c);
  else if (hf)
    readHF(f, c);
  else
    return configError(fileName +
                       ": neither an HF Mamba2 config (hidden_size, "
                       "num_hidden_layers, ...) nor a mamba_ssm config "
                       "(d_model, n_layer, ssm_cfg)");
  if (f.error())
    return configError(*f.error());
  if (Error e = checkSSM(c, mambaSSM ? "ssm_cfg.headdim" : "head_dim",
                         mambaSSM ? "ssm_cfg.ngroups" : "n_groups"))
    return e;
  for (std::string &u : f.unread())
    c.ignoredFields.push_back(u);
  return c;
}

Expected<ModelConfig> readModelConfig(StringRef path) {
  SmallString<256> file(path);
  if (sys::fs::is_directory(file))
    sys::path::append(file, "config.json");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(file);
  if (!buffer)
    return configError(file + ": cannot read: " + buffer.getError().message());
  return parseModelConfig((*buffer)->getBuffer(), file);
}

} // namespace ssdc::frontend
