// WeightSet on single files and model directories: f32/bf16/f16 to float32
// (zero-copy when possible), aliases (mamba_ssm, Codestral), tied head, conv
// squeeze, missing/mis-shaped/wrong-dtype errors, unused tensors.
#include "SafetensorsWriter.h"

#include "ssdc/weights/WeightSet.h"
#include "ssdc/weights/WeightsError.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ssdc;
using namespace ssdc::test;

namespace {

// Writes one file DIR/NAME and returns its path.
std::string writeModel(const std::vector<TT> &tensors,
                       const std::string &name = "model.safetensors",
                       std::string dir = "") {
  if (dir.empty())
    dir = freshDir();
  std::string p = dir + "/" + name;
  writeBytes(p, image(tensors));
  return p;
}


} // namespace

TEST(WeightSet, F32IsZeroCopy) {
  std::string p = writeModel({{"backbone.norm_f.weight", "F32", {4}, f32Bytes({1, -2, 3.5f, 0})}});
  WeightSet ws = WeightSet::open(p);
  EXPECT_EQ(ws.path(), p);
  EXPECT_EQ(ws.files(), (std::vector<std::string>{p}));
  F32Tensor t = ws.requireTensor("backbone.norm_f.weight", {4});
  EXPECT_TRUE(t.zeroCopy());
  EXPECT_FALSE(t.tiedToEmbeddings());
  EXPECT_EQ(t.shape(), (Shape{4}));
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], 1.0f);
  EXPECT_EQ(t[1], -2.0f);
  EXPECT_EQ(t[2], 3.5f);
  EXPECT_EQ(t[3], 0.0f);
  const TensorInfo &raw = ws.requireRaw("backbone.norm_f.weight", {4});
  EXPECT_EQ(static_cast<const void *>(t.data()), static_cast<const void *>(raw.data));
  // Moving keeps the data valid.
  F32Tensor moved = std::move(t);
  EXPECT_EQ(moved[2], 3.5f);
}

TEST(WeightSet, UnalignedF32IsCopiedCorrectly) {
  auto [h, d] = headerAndData({{"w", "F32", {3}, f32Bytes({1.25f, -7, 1e30f})}});
  std::string p = freshDir() + "/m.safetensors";
  writeBytes(p, rawImage(h, d, true, 1)); // data starts at an odd offset
  WeightSet ws = WeightSet::open(p);
  EXPECT_NE(reinterpret_cast<uintptr_t>(ws.requireRaw("w", {3}).data) % 4, 0u);
  F32Tensor t = ws.requireTensor("w", {3});
  EXPECT_FALSE(t.zeroCopy());
  EXPECT_EQ(t[0], 1.25f);
  EXPECT_EQ(t[1], -7.0f);
  EXPECT_EQ(t[2], 1e30f);
}

TEST(WeightSet, Bf16AndF16ConvertExactly) {
  std::string p = writeModel(
      {{"b", "BF16", {2, 3}, u16Bytes({0x3F80, 0xC000, 0x0001, 0x7F80, 0xFF80, 0x7FC0})},
       {"h", "F16", {2, 4}, u16Bytes({0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00,
                                      0xFC00, 0x7E00})}});
  WeightSet ws = WeightSet::open(p);
  F32Tensor b = ws.requireTensor("b", {2, 3});
  EXPECT_FALSE(b.zeroCopy());
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], -2.0f);
  EXPECT_EQ(b[2], std::ldexp(1.0f, -133));
  EXPECT_EQ(b[3], INFINITY);
  EXPECT_EQ(b[4], -INFINITY);
  EXPECT_TRUE(std::isnan(b[5]));
  F32Tensor h = ws.requireTensor("h", {2, 4});
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.0f);
  EXPECT_EQ(h[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(h[3], 1023 * std::ldexp(1.0f, -24));
  EXPECT_EQ(h[4], 65504.0f);
  EXPECT_EQ(h[5], INFINITY);
  EXPECT_EQ(h[6], -INFINITY);
  EXPECT_TRUE(std::isnan(h[7]));
}

TEST(WeightSet, MissingTensorNamesCloseOnes) {
  std::string p = writeModel({{"backbone.layers.0.mixer.A_log", "F32", {2}, f32Iota(2)},
                              {"backbone.layers.0.mixer.D", "F32", {2}, f32Iota(2)}});
  WeightSet ws = WeightSet::open(p);
  EXPECT_FALSE(ws.has("backbone.layers.1.mixer.dt_bias"));
  expectError<WeightsError>(
      [&] { ws.requireTensor("backbone.layers.0.mixer.A_logs", {2}); },
      {p, "no tensor 'backbone.layers.0.mixer.A_logs'",
       "close names: 'backbone.layers.0.mixer.A_log'",
       "'model.backbone.layers.0.mixer.A_logs'"});
  std::string msg = expectError<WeightsError>(
      [&] { ws.requireTensor("backbone.layers.7.mixer.in_proj.weight", {2}); },
      {p, "no tensor 'backbone.layers.7.mixer.in_proj.weight'"});
  EXPECT_EQ(msg.find("close names"), std::string::npos) << msg;
}

TEST(WeightSet, WrongShapeAndDType) {
  std::string p = writeModel({{"backbone.norm_f.weight", "F32", {2048}, f32Iota(2048)},
                              {"ids", "I64", {2}, i64Bytes({1, 2})}});
  WeightSet ws = WeightSet::open(p);
  expectError<WeightsError>([&] { ws.requireTensor("backbone.norm_f.weight", {2560}); },
                            {p, "tensor 'backbone.norm_f.weight'",
                             "expected shape [2560] got [2048]"});
  expectError<WeightsError>([&] { ws.requireRaw("backbone.norm_f.weight", {2048, 1}); },
                            {p, "expected shape [2048, 1] got [2048]"});
  expectError<WeightsError>([&] { ws.requireTensor("ids", {2}); },
                            {p, "tensor 'ids'", "dtype I64", "expected F32, BF16 or F16"});
  EXPECT_EQ(ws.requireRaw("ids", {2}).dtype, DType::I64);
}

TEST(WeightSet, MambaSsmEmbeddingAlias) {
  std::string p = writeModel({{"backbone.embedding.weight", "F32", {3, 2}, f32Iota(6)}});
  WeightSet ws = WeightSet::open(p);
  F32Tensor e = ws.requireTensor("backbone.embeddings.weight", {3, 2});
  EXPECT_EQ(e.storedName(), "backbone.embedding.weight");
  EXPECT_EQ(e[5], 5.0f);
  // The head ties to the aliased embeddings too.
  F32Tensor head = ws.requireTensor("lm_head.weight", {3, 2});
  EXPECT_TRUE(head.tiedToEmbeddings());
  EXPECT_EQ(head.data(), e.data());
}

TEST(WeightSet, CodestralModelPrefix) {
  std::string p = writeModel({{"model.backbone.layers.0.mixer.D", "F32", {2}, f32Iota(2, 10)},
                              {"model.layers.1.mixer.D", "F32", {2}, f32Iota(2, 20)},
                              {"model.lm_head.weight", "F32", {1, 2}, f32Iota(2, 30)}});
  WeightSet ws = WeightSet::open(p);
  EXPECT_EQ(ws.requireTensor("backbone.layers.0.mixer.D", {2})[1], 11.0f);
  EXPECT_EQ(ws.requireTensor("backbone.layers.1.mixer.D", {2})[0], 20.0f);
  F32Tensor head = ws.requireTensor("lm_head.weight", {1, 2});
  EXPECT_FALSE(head.tiedToEmbeddings());
  EXPECT_EQ(head[0], 30.0f);
  std::optional<ResolvedTensor> r = ws.find("backbone.layers.1.mixer.D");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->info->name, "model.layers.1.mixer.D");
  EXPECT_EQ(r->requested, "backbone.layers.1.mixer.D");
}

TEST(WeightSet, AmbiguousAliasesAreAnError) {
  std::string p = writeModel({{"backbone.embeddings.weight", "F32", {1}, f32Iota(1)},
                              {"backbone.embedding.weight", "F32", {1}, f32Iota(1)}});
  WeightSet ws = WeightSet::open(p);
  expectError<WeightsError>([&] { ws.requireTensor("backbone.embeddings.weight", {1}); },
                            {p, "'backbone.embeddings.weight'",
                             "'backbone.embedding.weight'", "ambiguous"});
}

TEST(WeightSet, TiedAndUntiedHead) {
  std::string tied = writeModel({{"backbone.embeddings.weight", "F32", {4, 2}, f32Iota(8)}});
  WeightSet ws = WeightSet::open(tied);
  F32Tensor head = ws.requireTensor("lm_head.weight", {4, 2});
  EXPECT_TRUE(head.tiedToEmbeddings());
  EXPECT_EQ(head.storedName(), "backbone.embeddings.weight");
  EXPECT_EQ(head[7], 7.0f);
  std::optional<ResolvedTensor> r = ws.find("lm_head.weight");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->tiedToEmbeddings);
  // Shape errors on the tied head say it is the tied head.
  expectError<WeightsError>([&] { ws.requireTensor("lm_head.weight", {5, 2}); },
                            {tied, "'backbone.embeddings.weight'", "tied 'lm_head.weight'",
                             "expected shape [5, 2] got [4, 2]"});

  std::string untied = writeModel({{"backbone.embeddings.weight", "F32", {4, 2}, f32Iota(8)},
                                   {"lm_head.weight", "F32", {4, 2}, f32Iota(8, 100)}});
  WeightSet wu = WeightSet::open(untied);
  F32Tensor h2 = wu.requireTensor("lm_head.weight", {4, 2});
  EXPECT_FALSE(h2.tiedToEmbeddings());
  EXPECT_EQ(h2[0], 100.0f);

  std::string none = writeModel({{"backbone.norm_f.weight", "F32", {2}, f32Iota(2)}});
  expectError<WeightsError>(
      [&] { WeightSet::open(none).requireTensor("lm_head.weight", {4, 2}); },
      {none, "no tensor 'lm_head.weight'", "backbone.embeddings.weight to tie it to"});
}

TEST(WeightSet, ConvWeightSqueeze) {
  const std::string name = "backbone.layers.0.mixer.conv1d.weight";
  std::string p = writeModel({{name, "F32", {6, 1, 4}, f32Iota(24)},
                              {"bf", "BF16", {2, 1, 2}, u16Bytes({0x3F80, 0x4000, 0x4040, 0x4080})}});
  WeightSet ws = WeightSet::open(p);
  F32Tensor w = ws.requireSqueezed(name, {6, 4});
  EXPECT_EQ(w.shape(), (Shape{6, 4}));
  EXPECT_TRUE(w.zeroCopy());
  EXPECT_EQ(static_cast<const void *>(w.data()),
            static_cast<const void *>(ws.requireRaw(name, {6, 1, 4}).data));
  EXPECT_EQ(w[4 * 5 + 3], 23.0f); // row 5, tap 3
  // Also accepts the stored shape itself.
  EXPECT_EQ(ws.requireSqueezed(name, {6, 1, 4}).shape(), (Shape{6, 1, 4}));
  F32Tensor b = ws.requireSqueezed("bf", {2, 2});
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[3], 4.0f);
  expectError<WeightsError>([&] { ws.requireTensor(name, {6, 4}); },
                            {p, "'" + name + "'", "expected shape [6, 4] got [6, 1, 4]"});
  expectError<WeightsError>([&] { ws.requireSqueezed(name, {6, 3}); },
                            {p, "'" + name + "'",
                             "expected shape [6, 3] (size-1 dims ignored) got [6, 1, 4]"});
}

TEST(WeightSet, UnusedTensors) {
  std::string p = writeModel({{"backbone.embedding.weight", "F32", {2, 2}, f32Iota(4)},
                              {"backbone.norm_f.weight", "F32", {2}, f32Iota(2)},
                              {"backbone.layers.0.mlp.fc1.weight", "F32", {2}, f32Iota(2)},
                              {"extra.bias", "F32", {1}, f32Iota(1)}});
  WeightSet ws = WeightSet::open(p);
  EXPECT_EQ(ws.tensorCount(), 4u);
  std::vector<std::string> requested = {"backbone.embeddings.weight", "backbone.norm_f.weight",
                                        "lm_head.weight", "backbone.layers.9.norm.weight"};
  std::vector<std::string> unused = ws.unusedTensors(requested);
  EXPECT_EQ(unused, (std::vector<std::string>{"backbone.layers.0.mlp.fc1.weight",
                                              "extra.bias"}));
  EXPECT_EQ(ws.describeUnused(unused),
            p + ": checkpoint has 2 tensors the model does not use: "
                "backbone.layers.0.mlp.fc1.weight, extra.bias");
  EXPECT_EQ(ws.describeUnused(unused, 1),
            p + ": checkpoint has 2 tensors the model does not use: "
                "backbone.layers.0.mlp.fc1.weight (and 1 more)");
  EXPECT_EQ(ws.describeUnused({}), "");
  EXPECT_TRUE(ws.unusedTensors(ws.storedNames()).empty());
}

TEST(WeightSetOpen, ModelDirectoryPrefersModelSafetensors) {
  std::string dir = freshDir();
  writeText(dir + "/config.json", "{}");
  writeModel({{"backbone.norm_f.weight", "F32", {2}, f32Iota(2, 5)}}, "model.safetensors", dir);
  // Fixture directories keep io.safetensors next to the model: not weights.
  writeModel({{"input_ids", "I64", {1}, i64Bytes({3})}}, "io.safetensors", dir);
  WeightSet ws = WeightSet::open(dir);
  EXPECT_EQ(ws.files(), (std::vector<std::string>{dir + "/model.safetensors"}));
  EXPECT_EQ(ws.requireTensor("backbone.norm_f.weight", {2})[1], 6.0f);
  EXPECT_FALSE(ws.has("input_ids"));
  // A trailing slash names the same file.
  EXPECT_EQ(WeightSet::open(dir + "/").files(),
            (std::vector<std::string>{dir + "/model.safetensors"}));
}

TEST(WeightSetOpen, DirectoryWithOneOtherFile) {
  std::string dir = freshDir();
  writeModel({{"backbone.norm_f.weight", "F32", {2}, f32Iota(2)}}, "consolidated.safetensors", dir);
  WeightSet ws = WeightSet::open(dir);
  EXPECT_EQ(ws.files(), (std::vector<std::string>{dir + "/consolidated.safetensors"}));
}

TEST(WeightSetOpen, DirectoryErrors) {
  std::string empty = freshDir();
  writeText(empty + "/config.json", "{}");
  expectError<WeightsError>([&] { WeightSet::open(empty); },
                            {empty, "no model.safetensors"});
  std::string two = freshDir();
  writeModel({{"a", "F32", {1}, f32Iota(1)}}, "a.safetensors", two);
  writeModel({{"b", "F32", {1}, f32Iota(1)}}, "b.safetensors", two);
  expectError<WeightsError>([&] { WeightSet::open(two); },
                            {two, "2 .safetensors files", "a.safetensors", "no index"});
  // A broken file inside a directory names that file.
  std::string broken = freshDir();
  Bytes img = image({{"x", "F32", {4}, f32Iota(4)}});
  img.resize(img.size() - 2);
  writeBytes(broken + "/model.safetensors", img);
  expectError<WeightsError>([&] { WeightSet::open(broken); },
                            {broken + "/model.safetensors", "tensor 'x'", "truncated"});
  expectError<WeightsError>([&] { WeightSet::open(broken + "/nope.safetensors"); },
                            {broken + "/nope.safetensors", "cannot open"});
}
