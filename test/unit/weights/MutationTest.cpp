// Robustness smoke test (the libFuzzer target of issue 9 will go further):
// thousands of deterministic corruptions of a valid image (byte flips,
// truncations, header-length edits) must either load or throw WeightsError;
// never crash, hang or throw anything else. Loaded tensors must lie inside
// the buffer.
#include "SafetensorsWriter.h"

#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/WeightsError.h"

#include <gtest/gtest.h>

#include <random>

using namespace ssdc;
using namespace ssdc::test;

TEST(Mutation, CorruptImagesLoadOrThrowWeightsError) {
  const Bytes valid = image({{"backbone.embeddings.weight", "BF16", {3, 2}, u16Bytes({1, 2, 3, 4, 5, 6})},
                             {"backbone.layers.0.mixer.D", "F32", {2}, f32Iota(2)},
                             {"ids", "I64", {1}, i64Bytes({9})}},
                            {{"format", "pt"}});
  std::mt19937_64 rng(12345);
  int loaded = 0, rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b = valid;
    switch (iter % 4) {
    case 0: // flip random bytes
      for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k)
        b[rng() % b.size()] = uint8_t(rng());
      break;
    case 1: // truncate
      b.resize(rng() % b.size());
      break;
    case 2: { // printable garbage into the header
      size_t hlen = b[0] | (size_t(b[1]) << 8);
      b[8 + rng() % hlen] = "{}[]\",:0123456789-e."[rng() % 20];
      break;
    }
    case 3: // change the header length
      b[0] = uint8_t(b[0] + int(rng() % 17) - 8);
      if (rng() % 4 == 0)
        b[1 + rng() % 7] = uint8_t(rng());
      break;
    }
    try {
      auto f = SafetensorsFile::fromMemory(b.data(), b.size(), "mutant");
      for (const TensorInfo &t : f->tensors()) {
        ASSERT_GE(t.data, b.data());
        ASSERT_LE(t.data + t.nbytes, b.data() + b.size());
        ASSERT_EQ(t.nbytes, size_t(t.numel()) * dtypeSize(t.dtype));
      }
      ++loaded;
    } catch (const WeightsError &e) {
      ASSERT_EQ(std::string(e.what()).rfind("mutant: ", 0), 0u) << e.what();
      ++rejected;
    }
  }
  // Both outcomes happen (the corruptions are neither all fatal nor all benign).
  EXPECT_GT(loaded, 100);
  EXPECT_GT(rejected, 1000);
}
