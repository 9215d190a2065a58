// Checkpoints written by transformers (test/fixtures/hf/*/, made on the GPU
// machine by tools/make_hf_fixtures.py): every tensor name and shape must
// match REFERENCE.md's table for that directory's config.json, with nothing
// extra, lm_head absent exactly when tied, and all values finite; the io file
// beside it holds int64 ids within the vocab and logits [batch, len, vocab].
#include "ssdc/weights/WeightSet.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

using namespace ssdc;
namespace fs = std::filesystem;

namespace {

// REFERENCE.md "Checkpoints": canonical name -> shape for an HF Mamba2 config.
std::map<std::string, Shape> expectedTensors(const nlohmann::json &c) {
  const int64_t d = c.at("hidden_size"), L = c.at("num_hidden_layers"),
                V = c.at("vocab_size"), N = c.at("state_size"), H = c.at("num_heads"),
                P = c.at("head_dim"), G = c.value("n_groups", 1),
                K = c.value("conv_kernel", 4);
  const int64_t dInner = int64_t(c.value("expand", 2.0) * double(d));
  EXPECT_EQ(dInner, H * P) << "config: d_inner != num_heads * head_dim";
  const int64_t convDim = dInner + 2 * G * N;
  const int64_t proj = 2 * dInner + 2 * G * N + H;
  std::map<std::string, Shape> t;
  t["backbone.embeddings.weight"] = {V, d};
  for (int64_t i = 0; i < L; ++i) {
    const std::string l = "backbone.layers." + std::to_string(i) + ".";
    t[l + "norm.weight"] = {d};
    t[l + "mixer.in_proj.weight"] = {proj, d};
    t[l + "mixer.conv1d.weight"] = {convDim, 1, K};
    if (c.value("use_conv_bias", true))
      t[l + "mixer.conv1d.bias"] = {convDim};
    if (c.value("use_bias", false)) {
      t[l + "mixer.in_proj.bias"] = {proj};
      t[l + "mixer.out_proj.bias"] = {d};
    }
    t[l + "mixer.dt_bias"] = {H};
    t[l + "mixer.A_log"] = {H};
    t[l + "mixer.D"] = {H};
    t[l + "mixer.norm.weight"] = {dInner};
    t[l + "mixer.out_proj.weight"] = {d, dInner};
  }
  t["backbone.norm_f.weight"] = {d};
  if (!c.value("tie_word_embeddings", true))
    t["lm_head.weight"] = {V, d};
  return t;
}

std::vector<fs::path> fixtureDirs() {
  std::vector<fs::path> dirs;
  fs::path root = fs::path(SSDC_FIXTURES_DIR) / "hf";
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return dirs;
  for (const fs::directory_entry &e : fs::directory_iterator(root, ec))
    if (fs::exists(e.path() / "model.safetensors") && fs::exists(e.path() / "config.json"))
      dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

} // namespace

TEST(HfFixtures, NamesAndShapesMatchReference) {
  std::vector<fs::path> dirs = fixtureDirs();
  if (dirs.empty())
    GTEST_SKIP() << "no test/fixtures/hf/*/model.safetensors yet";
  for (const fs::path &dir : dirs) {
    SCOPED_TRACE(dir.string());
    std::ifstream in(dir / "config.json");
    nlohmann::json config = nlohmann::json::parse(in);
    std::map<std::string, Shape> want = expectedTensors(config);
    WeightSet ws = WeightSet::open(dir.string());
    EXPECT_EQ(ws.files(), (std::vector<std::string>{(dir / "model.safetensors").string()}));

    std::vector<std::string> names;
    for (const auto &[name, shape] : want) {
      names.push_back(name);
      const TensorInfo &t = ws.requireRaw(name, shape);
      EXPECT_EQ(t.name, name) << "HF checkpoints need no alias";
      EXPECT_TRUE(isFloatDType(t.dtype)) << name;
      F32Tensor f = ws.requireSqueezed(name, shape);
      EXPECT_EQ(int64_t(f.size()), shapeNumel(shape));
    }
    EXPECT_EQ(ws.tensorCount(), want.size());
    EXPECT_EQ(ws.unusedTensors(names), std::vector<std::string>{})
        << ws.describeUnused(ws.unusedTensors(names));

    const bool tied = config.value("tie_word_embeddings", true);
    std::optional<ResolvedTensor> head = ws.find("lm_head.weight");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->tiedToEmbeddings, tied);
    const Shape vd = want.at("backbone.embeddings.weight");
    EXPECT_EQ(ws.requireTensor("lm_head.weight", vd).tiedToEmbeddings(), tied);
    names.push_back("lm_head.weight");
    EXPECT_NO_THROW(ws.checkFinite(names));

    // io.safetensors (written by safetensors' save_file): ids within vocab.
    auto io = SafetensorsFile::open((dir / "io.safetensors").string());
    const TensorInfo *ids = io->find("input_ids");
    ASSERT_NE(ids, nullptr);
    EXPECT_EQ(ids->dtype, DType::I64);
    EXPECT_EQ(ids->shape.size(), 2u);
    const int64_t vocab = config.at("vocab_size");
    for (int64_t id : readInt64(*ids)) {
      EXPECT_GE(id, 0);
      EXPECT_LT(id, vocab);
    }
    const TensorInfo *logits = io->find("logits");
    ASSERT_NE(logits, nullptr);
    EXPECT_EQ(logits->dtype, DType::F32);
    EXPECT_EQ(logits->shape, (Shape{ids->shape[0], ids->shape[1], vocab}));
  }
}
