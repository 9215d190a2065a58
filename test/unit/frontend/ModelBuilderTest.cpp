//===- ModelBuilderTest.cpp - ModelConfig → model IR ----------------------===//
//
// The built IR verifies and has the structure REFERENCE.md prescribes: one
// ssd.ssm per Mamba-2 layer, one ssd.attention per attention layer, states in
// and out of @decode in layer order, tied or untied heads.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"
#include "frontend/ModelBuilder.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace ssdc;
using namespace ssdc::frontend;

namespace {

ModelConfig hybrid() {
  llvm::Expected<ModelConfig> c = parseModelConfig(R"({
    "d_model": 128, "d_intermediate": 96, "n_layer": 3, "vocab_size": 100,
    "ssm_cfg": {"layer": "Mamba2", "headdim": 32, "ngroups": 2, "d_state": 16},
    "attn_layer_idx": [1],
    "attn_cfg": {"num_heads": 4, "num_heads_kv": 2, "head_dim": 32, "d_conv": 4,
                 "rotary_emb_dim": 16},
    "pad_vocab_size_multiple": 16, "tie_embeddings": false})",
                                                   "hybrid.json");
  EXPECT_TRUE(static_cast<bool>(c));
  return std::move(*c);
}

template <typename OpT> int count(Operation *root) {
  int n = 0;
  root->walk([&](OpT) { ++n; });
  return n;
}

TEST(ModelBuilder, HybridModelVerifiesWithExpectedStructure) {
  MLIRContext context;
  ModelConfig c = hybrid();
  OwningOpRef<ModuleOp> module = buildModelIR(c, context, "bf16");
  ASSERT_TRUE(succeeded(verify(*module)));

  auto prefill = module->lookupSymbol<func::FuncOp>("prefill");
  auto decode = module->lookupSymbol<func::FuncOp>("decode");
  ASSERT_TRUE(prefill && decode);
  // Two Mamba-2 layers and one attention layer, in each entry function.
  EXPECT_EQ(count<ssd::SSMOp>(prefill), 2);
  EXPECT_EQ(count<ssd::AttentionOp>(prefill), 1);
  // Gated MLP in every layer: fc1 and fc2.
  int linears = count<ssd::LinearOp>(prefill);
  // 2 Mamba layers × (in, out) + attention (in, out) + 3 × (fc1, fc2) + head.
  EXPECT_EQ(linears, 2 * 2 + 2 + 3 * 2 + 1);

  // States: mamba (conv, ssm), attention (conv, keys, values), mamba (conv, ssm).
  FunctionType d = decode.getFunctionType();
  ASSERT_EQ(d.getNumInputs(), 1u + 7u);
  ASSERT_EQ(d.getNumResults(), 1u + 7u);
  auto stateName = [&](unsigned i) {
    return decode.getArgAttrOfType<StringAttr>(i, "ssd.state").getValue().str();
  };
  EXPECT_EQ(stateName(1), "layers.0.conv");
  EXPECT_EQ(stateName(2), "layers.0.ssm");
  EXPECT_EQ(stateName(3), "layers.1.conv");
  EXPECT_EQ(stateName(4), "layers.1.keys");
  EXPECT_EQ(stateName(5), "layers.1.values");
  EXPECT_EQ(stateName(7), "layers.2.ssm");
  // The SSM state is [b, H, P, N] in f32: H = 2·128/32 = 8.
  auto ssm = cast<RankedTensorType>(d.getInput(2));
  EXPECT_EQ(ssm.getShape().drop_front(), ArrayRef<int64_t>({8, 32, 16}));
  EXPECT_TRUE(ssm.getElementType().isF32());
  // Logits are f32 [b, 1, 112] (100 padded to a multiple of 16).
  auto logits = cast<RankedTensorType>(d.getResult(0));
  EXPECT_EQ(logits.getDimSize(1), 1);
  EXPECT_EQ(logits.getDimSize(2), 112);
  EXPECT_TRUE(logits.getElementType().isF32());

  // Untied: the head reads lm_head.weight.
  bool headWeight = false;
  prefill.walk([&](ssd::WeightOp w) {
    headWeight |= w.getName() == "lm_head.weight";
  });
  EXPECT_TRUE(headWeight);

  // The grouped gated norm normalises d_inner / ngroups = 128 channels.
  int gatedNorms = 0;
  prefill.walk([&](ssd::RMSNormOp op) {
    if (op.getGate()) {
      ++gatedNorms;
      EXPECT_EQ(op.getGroupSize(), std::optional<uint64_t>(128));
    }
  });
  EXPECT_EQ(gatedNorms, 2);
}

TEST(ModelBuilder, ReleasedConfigBuildsAndTiesTheHead) {
  MLIRContext context;
  llvm::Expected<ModelConfig> c = parseModelConfig(R"({
    "d_model": 768, "n_layer": 24, "vocab_size": 50277,
    "ssm_cfg": {"layer": "Mamba2"}, "pad_vocab_size_multiple": 16,
    "tie_embeddings": true})",
                                                   "130m.json");
  ASSERT_TRUE(static_cast<bool>(c));
  OwningOpRef<ModuleOp> module = buildModelIR(*c, context);
  ASSERT_TRUE(succeeded(verify(*module)));
  auto decode = module->lookupSymbol<func::FuncOp>("decode");
  EXPECT_EQ(count<ssd::SSMOp>(decode), 24);
  bool lmHead = false;
  decode.walk([&](ssd::WeightOp w) { lmHead |= w.getName() == "lm_head.weight"; });
  EXPECT_FALSE(lmHead);
}

} // namespace
