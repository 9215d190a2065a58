// --check-weights: NaN/Inf found in F32, BF16 and F16 tensors with the right
// tensor name, first index (flat and per dim) and count; finite tensors and
// integer tensors pass.
#include "SafetensorsWriter.h"

#include "ssdc/weights/WeightSet.h"
#include "ssdc/weights/WeightsError.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace ssdc;
using namespace ssdc::test;

TEST(FiniteScan, FindsFirstBadElementPerTensor) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::string p = freshDir() + "/model.safetensors";
  writeBytes(p, image({
      {"backbone.layers.0.mixer.D", "F32", {2, 4}, f32Bytes({0, 1, 2, 3, 4, nan, 6, INFINITY})},
      {"backbone.layers.0.mixer.A_log", "BF16", {3}, u16Bytes({0x3F80, 0xFF80, 0x0001})},
      {"backbone.layers.0.mixer.dt_bias", "F16", {1, 1, 3}, u16Bytes({0x7BFF, 0x0001, 0x7C01})},
      {"backbone.norm_f.weight", "F32", {3}, f32Bytes({1e38f, -1e-45f, 0})},
      {"backbone.embedding.weight", "F16", {2}, u16Bytes({0x3C00, 0x03FF})},
      {"ids", "I64", {2}, i64Bytes({-1, 0x7FF0000000000000})},
  }));
  WeightSet ws = WeightSet::open(p);
  std::vector<std::string> names = {"backbone.layers.0.mixer.D", "backbone.layers.0.mixer.A_log",
                                    "backbone.layers.0.mixer.dt_bias", "backbone.norm_f.weight",
                                    "backbone.embeddings.weight", "lm_head.weight", "ids"};
  std::vector<NonFiniteReport> r = ws.scanNonFinite(names);
  ASSERT_EQ(r.size(), 3u);

  EXPECT_EQ(r[0].name, "backbone.layers.0.mixer.D");
  EXPECT_EQ(r[0].index, 5);
  EXPECT_EQ(r[0].position, (Shape{1, 1}));
  EXPECT_TRUE(std::isnan(r[0].value));
  EXPECT_EQ(r[0].count, 2);
  EXPECT_EQ(r[0].file, p);
  EXPECT_EQ(r[0].message(), p + ": tensor 'backbone.layers.0.mixer.D' has NaN at index 5 "
                                "[1, 1]; 2 non-finite values in all");

  EXPECT_EQ(r[1].name, "backbone.layers.0.mixer.A_log");
  EXPECT_EQ(r[1].index, 1);
  EXPECT_EQ(r[1].value, -INFINITY);
  EXPECT_EQ(r[1].count, 1);
  EXPECT_EQ(r[1].message(), p + ": tensor 'backbone.layers.0.mixer.A_log' has -Inf at index 1 [1]");

  EXPECT_EQ(r[2].index, 2);
  EXPECT_EQ(r[2].position, (Shape{0, 0, 2}));
  EXPECT_TRUE(std::isnan(r[2].value));

  std::string msg = expectError<WeightsError>(
      [&] { ws.checkFinite(names); },
      {p, "3 tensors hold NaN or Inf", "'backbone.layers.0.mixer.D' has NaN at index 5",
       "'backbone.layers.0.mixer.A_log' has -Inf at index 1",
       "'backbone.layers.0.mixer.dt_bias' has NaN at index 2"});
  EXPECT_EQ(msg.find("norm_f"), std::string::npos) << msg;

  EXPECT_NO_THROW(ws.checkFinite({"backbone.norm_f.weight", "lm_head.weight", "ids"}));
  EXPECT_TRUE(ws.scanNonFinite({"backbone.embeddings.weight"}).empty());
  // Missing tensors are an error, not "finite".
  expectError<WeightsError>([&] { ws.scanNonFinite({"backbone.layers.3.mixer.D"}); },
                            {p, "no tensor 'backbone.layers.3.mixer.D'"});
}

TEST(FiniteScan, PositiveInfinityAndAliasName) {
  std::string p = freshDir() + "/model.safetensors";
  writeBytes(p, image({{"model.backbone.norm_f.weight", "F32", {2}, f32Bytes({1, INFINITY})}}));
  WeightSet ws = WeightSet::open(p);
  std::vector<NonFiniteReport> r = ws.scanNonFinite({"backbone.norm_f.weight"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].storedName, "model.backbone.norm_f.weight");
  EXPECT_EQ(r[0].message(), p + ": tensor 'model.backbone.norm_f.weight' (as "
                                "'backbone.norm_f.weight') has +Inf at index 1 [1]");
}

TEST(FiniteScan, BadFirstElement) {
  std::string p = freshDir() + "/model.safetensors";
  writeBytes(p, image({{"w", "BF16", {2, 2}, u16Bytes({0xFFC1, 0x3F80, 0x7F80, 0})}}));
  std::vector<NonFiniteReport> r = WeightSet::open(p).scanNonFinite({"w"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].index, 0);
  EXPECT_EQ(r[0].position, (Shape{0, 0}));
  EXPECT_TRUE(std::isnan(r[0].value));
  EXPECT_EQ(r[0].count, 2);
}
