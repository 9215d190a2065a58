//===- ConfigReaderTest.cpp - HF and mamba_ssm configs → ModelConfig ------===//
//
// Expected sizes come from REFERENCE.md (the released models' table and the
// in_proj layout), not from the reader.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelConfig.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using namespace ssdc::frontend;

namespace {

/// Parses `text` expecting success.
ModelConfig parseOk(const std::string &text) {
  llvm::Expected<ModelConfig> c = parseModelConfig(text, "config.json");
  if (!c) {
    ADD_FAILURE() << llvm::toString(c.takeError());
    return {};
  }
  return std::move(*c);
}

/// Parses `text` expecting an error; returns its message.
std::string parseError(const std::string &text) {
  llvm::Expected<ModelConfig> c = parseModelConfig(text, "config.json");
  if (c) {
    ADD_FAILURE() << "expected an error for " << text;
    return "";
  }
  return llvm::toString(c.takeError());
}

const char *kHF = R"({
  "model_type": "mamba2", "hidden_size": 768, "num_hidden_layers": 24,
  "vocab_size": 50288, "state_size": 128, "num_heads": 24, "head_dim": 64,
  "n_groups": 1, "expand": 2, "conv_kernel": 4, "chunk_size": 256,
  "layer_norm_epsilon": 1e-05, "use_bias": false, "use_conv_bias": true,
  "residual_in_fp32": true, "rms_norm": true, "tie_word_embeddings": true,
  "time_step_limit": [0.0, {"__float__": "Infinity"}],
  "bos_token_id": 0, "transformers_version": "4.44.0"
})";

TEST(ConfigReader, HFMamba2With130mShapes) {
  ModelConfig c = parseOk(kHF);
  EXPECT_EQ(c.format, "hf-mamba2");
  EXPECT_EQ(c.dModel, 768);
  EXPECT_EQ(c.nLayers, 24);
  EXPECT_EQ(c.ssm.dInner, 1536);
  EXPECT_EQ(c.ssm.nHeads, 24);
  // [z | x | B | C | dt] = 1536 + 1536 + 128 + 128 + 24.
  EXPECT_EQ(c.ssm.inProjRows(), 3352);
  EXPECT_EQ(c.ssm.convDim(), 1792);
  EXPECT_TRUE(std::isinf(c.ssm.dtMax));
  EXPECT_FALSE(c.ssm.hasDtLimit());
  EXPECT_TRUE(c.ignoredFields.empty()) << c.ignoredFields.front();
}

TEST(ConfigReader, BareInfinityAlsoAccepted) {
  std::string text = kHF;
  text.replace(text.find("{\"__float__\": \"Infinity\"}"),
               std::string("{\"__float__\": \"Infinity\"}").size(), "Infinity");
  ModelConfig c = parseOk(text);
  EXPECT_TRUE(std::isinf(c.ssm.dtMax) && c.ssm.dtMax > 0);
}

TEST(ConfigReader, InfinityInsideStringsIsLeftAlone) {
  std::string text = kHF;
  text.insert(text.find("\"bos_token_id\""), "\"note\": \"Infinity\", ");
  ModelConfig c = parseOk(text);
  ASSERT_EQ(c.ignoredFields.size(), 1u);
  EXPECT_EQ(c.ignoredFields[0], "note");
}

TEST(ConfigReader, FiniteTimeStepLimit) {
  std::string text = kHF;
  text.replace(text.find("[0.0, {\"__float__\": \"Infinity\"}]"),
               std::string("[0.0, {\"__float__\": \"Infinity\"}]").size(),
               "[0.001, 0.1]");
  ModelConfig c = parseOk(text);
  EXPECT_TRUE(c.ssm.hasDtLimit());
  EXPECT_DOUBLE_EQ(c.ssm.dtMin, 0.001);
  EXPECT_DOUBLE_EQ(c.ssm.dtMax, 0.1);
}

TEST(ConfigReader, MambaSSMHybridAttention) {
  ModelConfig c = parseOk(R"({
    "d_model": 2560, "d_intermediate": 0, "n_layer": 64, "vocab_size": 50277,
    "ssm_cfg": {"layer": "Mamba2"}, "attn_layer_idx": [9, 18, 27, 36, 45, 56],
    "attn_cfg": {"causal": true, "d_conv": 4, "head_dim": 128, "num_heads": 30,
                 "out_proj_bias": false, "qkv_proj_bias": false, "rotary_emb_dim": 64},
    "rms_norm": true, "residual_in_fp32": true, "fused_add_norm": true,
    "pad_vocab_size_multiple": 16, "tie_embeddings": true})");
  EXPECT_EQ(c.format, "mamba_ssm");
  EXPECT_EQ(c.vocabSize, 50288);
  EXPECT_EQ(c.ssm.nHeads, 80);
  EXPECT_EQ(c.ssm.dState, 128);
  EXPECT_EQ(c.countLayers(LayerKind::Attention), 6);
  EXPECT_EQ(c.layers[9], LayerKind::Attention);
  EXPECT_EQ(c.layers[10], LayerKind::Mamba2);
  EXPECT_EQ(c.attn.numHeadsKV, 30);
  EXPECT_EQ(c.attn.qkvDim(), 128 * 90);
  EXPECT_FALSE(c.attn.qkvBias);
  EXPECT_TRUE(c.ignoredFields.empty());
}

TEST(ConfigReader, MambaSSMGatedMLPAndGroups) {
  ModelConfig c = parseOk(R"({
    "d_model": 256, "d_intermediate": 512, "n_layer": 2, "vocab_size": 1000,
    "ssm_cfg": {"layer": "Mamba2", "ngroups": 4, "headdim": 32, "d_state": 64,
                "dt_limit": [0.0, Infinity], "D_has_hdim": true},
    "pad_vocab_size_multiple": 8})");
  EXPECT_EQ(c.dIntermediate, 512);
  EXPECT_EQ(c.vocabSize, 1000);
  EXPECT_EQ(c.ssm.nHeads, 16);
  EXPECT_EQ(c.ssm.nGroups, 4);
  EXPECT_TRUE(c.ssm.dHasHdim);
  // 2·512 + 2·4·64 + 16.
  EXPECT_EQ(c.ssm.inProjRows(), 1552);
}

TEST(ConfigReader, UnknownFieldsAreWarningsNotErrors) {
  ModelConfig c = parseOk(R"({"d_model": 64, "n_layer": 1, "vocab_size": 256,
    "ssm_cfg": {"layer": "Mamba2", "headdim": 32, "frobnicate": 1},
    "my_extra": "x"})");
  ASSERT_EQ(c.ignoredFields.size(), 2u);
  EXPECT_EQ(c.ignoredFields[0], "ssm_cfg.frobnicate");
  EXPECT_EQ(c.ignoredFields[1], "my_extra");
}

TEST(ConfigReader, Errors) {
  EXPECT_EQ(parseError(R"({"d_model": 64, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2"}})"),
            "config.json: missing field 'n_layer' (a positive integer)");
  EXPECT_EQ(parseError(R"({"d_model": "64", "n_layer": 1, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2"}})"),
            "config.json: field 'd_model': expected a positive integer, got \"64\" (a string)");
  EXPECT_EQ(parseError(R"({"d_model": 64, "n_layer": 1, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2", "headdim": 48}})"),
            "config.json: d_inner = expand * d_model = 128 is not divisible by ssm_cfg.headdim = 48");
  EXPECT_EQ(parseError(R"({"d_model": 96, "n_layer": 1, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2", "headdim": 32, "ngroups": 4}})"),
            "config.json: the number of heads 6 is not divisible by ssm_cfg.ngroups = 4");
  EXPECT_EQ(parseError(R"({"d_model": 64, "n_layer": 1, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba1"}})"),
            "config.json: field 'ssm_cfg.layer': unknown layer type \"Mamba1\", expected \"Mamba2\"");
  EXPECT_EQ(parseError(R"({"d_model": 64, "n_layer": 2, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2", "headdim": 32}, "attn_layer_idx": [5], "attn_cfg": {"num_heads": 2}})"),
            "config.json: field 'attn_layer_idx': layer 5 does not exist (n_layer = 2)");
  EXPECT_EQ(parseError(R"({"d_model": 64, "n_layer": 2, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2", "headdim": 32}, "attn_layer_idx": [1]})"),
            "config.json: missing field 'attn_cfg' (attn_layer_idx names attention layers)");
  EXPECT_EQ(parseError(R"({"d_model": 64, "n_layer": 2, "vocab_size": 256, "ssm_cfg": {"layer": "Mamba2", "headdim": 32}, "attn_layer_idx": [1], "attn_cfg": {"num_heads": 4, "num_heads_kv": 3}})"),
            "config.json: attn_cfg: num_heads = 4 is not divisible by num_heads_kv = 3");
  EXPECT_EQ(parseError(R"({"model_type": "mamba2", "hidden_size": 64, "num_hidden_layers": 1, "vocab_size": 256, "num_heads": 3, "head_dim": 32, "n_groups": 1})"),
            "config.json: num_heads * head_dim = 3 * 32 = 96 must equal d_inner = expand * hidden_size = 128");
  EXPECT_EQ(parseError(R"({"model_type": "mamba", "hidden_size": 64, "num_hidden_layers": 1, "vocab_size": 256})"),
            "config.json: field 'model_type': expected \"mamba2\", got \"mamba\"");
  EXPECT_EQ(parseError(R"({"model_type": "mamba2", "hidden_size": 64, "num_hidden_layers": 1, "vocab_size": 256, "head_dim": 32, "n_groups": 1, "time_step_limit": [0.0]})"),
            "config.json: field 'time_step_limit': expected a pair [min, max] of numbers (infinity as {\"__float__\": \"Infinity\"} or Infinity), got a list");
  EXPECT_EQ(parseError(R"({"model_type": "mamba2", "hidden_size": 64, "num_hidden_layers": 1, "vocab_size": 256, "head_dim": 32, "n_groups": 1, "rms_norm": "yes"})"),
            "config.json: field 'rms_norm': expected true or false, got \"yes\" (a string)");
  EXPECT_EQ(parseError(R"({"vocab": 3})"),
            "config.json: neither an HF Mamba2 config (hidden_size, num_hidden_layers, ...) nor a mamba_ssm config (d_model, n_layer, ssm_cfg)");
  EXPECT_EQ(parseError("[1, 2]"), "config.json: expected a JSON object at the top level");
  EXPECT_NE(parseError("{\"d_model\": 64,").find("config.json: not valid JSON: "),
            std::string::npos);
}

TEST(ConfigReader, MissingFileNamesThePath) {
  llvm::Expected<ModelConfig> c = readModelConfig("/nonexistent/model-dir");
  ASSERT_FALSE(c);
  std::string message = llvm::toString(c.takeError());
  EXPECT_NE(message.find("/nonexistent/model-dir"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot read"), std::string::npos) << message;
}

} // namespace
