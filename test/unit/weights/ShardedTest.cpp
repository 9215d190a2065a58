// Sharded checkpoints: a *.safetensors.index.json weight_map over shard files;
// all shards load, and every inconsistency between index and shards is an
// error naming the index, the shard and the tensor.
#include "SafetensorsWriter.h"

#include "ssdc/weights/WeightSet.h"
#include "ssdc/weights/WeightsError.h"

#include <gtest/gtest.h>

using namespace ssdc;
using namespace ssdc::test;

namespace {

struct Sharded {
  std::string dir = freshDir();
  std::string index = dir + "/model.safetensors.index.json";
  Sharded() {
    writeText(dir + "/config.json", "{}");
    writeBytes(dir + "/model-00001-of-00002.safetensors",
               image({{"backbone.embeddings.weight", "F32", {3, 2}, f32Iota(6)},
                      {"backbone.layers.0.mixer.D", "BF16", {2}, u16Bytes({0x3F80, 0x4000})}}));
    writeBytes(dir + "/model-00002-of-00002.safetensors",
               image({{"backbone.norm_f.weight", "F16", {2}, u16Bytes({0x3C00, 0xC000})}}));
  }
  void writeIndex(const std::string &weightMapEntries) {
    writeText(index, "{\"metadata\": {\"total_size\": 40}, \"weight_map\": {" +
                         weightMapEntries + "}}");
  }
  static std::string entry(const std::string &t, const std::string &shard) {
    return "\"" + t + "\": \"" + shard + "\"";
  }
  std::string goodEntries() const {
    return entry("backbone.embeddings.weight", "model-00001-of-00002.safetensors") + ", " +
           entry("backbone.layers.0.mixer.D", "model-00001-of-00002.safetensors") + ", " +
           entry("backbone.norm_f.weight", "model-00002-of-00002.safetensors");
  }
};

} // namespace

TEST(Sharded, LoadsAllShards) {
  Sharded s;
  s.writeIndex(s.goodEntries());
  for (const std::string &path : {s.dir, s.index}) {
    WeightSet ws = WeightSet::open(path);
    EXPECT_EQ(ws.files().size(), 2u);
    EXPECT_EQ(ws.tensorCount(), 3u);
    EXPECT_EQ(ws.requireTensor("backbone.embeddings.weight", {3, 2})[4], 4.0f);
    EXPECT_EQ(ws.requireTensor("backbone.layers.0.mixer.D", {2})[1], 2.0f);
    F32Tensor n = ws.requireTensor("backbone.norm_f.weight", {2});
    EXPECT_EQ(n[0], 1.0f);
    EXPECT_EQ(n[1], -2.0f);
    EXPECT_EQ(n.file(), s.dir + "/model-00002-of-00002.safetensors");
    EXPECT_TRUE(ws.requireTensor("lm_head.weight", {3, 2}).tiedToEmbeddings());
  }
}

TEST(Sharded, MissingShardFile) {
  Sharded s;
  s.writeIndex(s.goodEntries() + ", " +
               Sharded::entry("lm_head.weight", "model-00003-of-00003.safetensors"));
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "'model-00003-of-00003.safetensors'", "does not exist"});
}

TEST(Sharded, IndexListsTensorNotInShard) {
  Sharded s;
  s.writeIndex(s.goodEntries() + ", " +
               Sharded::entry("lm_head.weight", "model-00002-of-00002.safetensors"));
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "'lm_head.weight'", "model-00002-of-00002.safetensors",
                             "has no such tensor"});
}

TEST(Sharded, ShardHoldsUnlistedOrMisplacedTensor) {
  Sharded s;
  s.writeIndex(Sharded::entry("backbone.embeddings.weight", "model-00001-of-00002.safetensors") +
               ", " + Sharded::entry("backbone.norm_f.weight", "model-00002-of-00002.safetensors"));
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "model-00001-of-00002.safetensors",
                             "'backbone.layers.0.mixer.D'", "does not list"});
  // The same tensor in two shards: the index can place it in only one.
  writeBytes(s.dir + "/model-00002-of-00002.safetensors",
             image({{"backbone.norm_f.weight", "F16", {2}, u16Bytes({0x3C00, 0xC000})},
                    {"backbone.layers.0.mixer.D", "BF16", {2}, u16Bytes({0, 0})}}));
  s.writeIndex(s.goodEntries());
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "model-00002-of-00002.safetensors",
                             "'backbone.layers.0.mixer.D'",
                             "puts in 'model-00001-of-00002.safetensors'"});
}

TEST(Sharded, BadIndexFiles) {
  Sharded s;
  writeText(s.index, "{\"weight_map\": ");
  expectError<WeightsError>([&] { WeightSet::open(s.dir); }, {s.index, "not valid JSON"});
  writeText(s.index, "{\"metadata\": {}}");
  expectError<WeightsError>([&] { WeightSet::open(s.dir); }, {s.index, "no \"weight_map\""});
  writeText(s.index, "{\"weight_map\": {\"a\": 3}}");
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "tensor 'a'", "expected a shard file name"});
  writeText(s.index, "{\"weight_map\": {\"a\": \"../x.safetensors\"}}");
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.index, "'../x.safetensors'", "next to the index"});
  // A broken shard is reported by its own path.
  s.writeIndex(s.goodEntries());
  Bytes img = image({{"backbone.norm_f.weight", "F16", {2}, u16Bytes({0x3C00, 0xC000})}});
  img.resize(img.size() - 1);
  writeBytes(s.dir + "/model-00002-of-00002.safetensors", img);
  expectError<WeightsError>([&] { WeightSet::open(s.dir); },
                            {s.dir + "/model-00002-of-00002.safetensors",
                             "tensor 'backbone.norm_f.weight'", "truncated"});
}
