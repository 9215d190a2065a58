// Prefill of L tokens followed by k one-token decode steps gives the logits a
// prefill of all L + k tokens gives (DESIGN.md numerics policy), end to end
// through the CPU runtime, for a hybrid model: Mamba-2 layers (conv window and
// SSM state carried), a mamba_ssm attention layer (GQA, RoPE, qkv conv, KV
// cache carried) and gated MLPs. Artifacts are made by the `ssdc` and
// `make-random-weights` binaries of this build.
#include "runtime/core/Error.h"
#include "runtime/gen/LoadedModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace ssdc::rt;

namespace {

const char *kHybrid = R"({"d_model": 64, "n_layer": 3, "vocab_size": 100,
 "ssm_cfg": {"layer": "Mamba2", "headdim": 16, "d_state": 16, "ngroups": 2},
 "attn_layer_idx": [1],
 "attn_cfg": {"num_heads": 4, "num_heads_kv": 2, "head_dim": 16,
              "rotary_emb_dim": 8, "d_conv": 4},
 "d_intermediate": 96, "pad_vocab_size_multiple": 8, "tie_embeddings": true})";

std::string makeModel(const std::string &config) {
  std::string dir = ::testing::TempDir() + "ssdc_prefill_decode";
  std::string sh = "rm -rf " + dir + " && mkdir -p " + dir;
  EXPECT_EQ(std::system(sh.c_str()), 0);
  std::ofstream(dir + "/config.json") << config;
  std::string compile = std::string(SSDC_BIN_DIR) + "/ssdc compile " + dir +
                        " --target cpu -o " + dir + "/m.ssdc 2>/dev/null && " +
                        SSDC_BIN_DIR + "/make-random-weights " + dir + "/m.ssdc " +
                        dir + "/model.safetensors --seed 3 2>/dev/null";
  EXPECT_EQ(std::system(compile.c_str()), 0);
  return dir;
}

double relError(const float *a, const float *e, size_t n) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    diff = std::fmax(diff, std::fabs(double(a[i]) - e[i]));
    scale = std::fmax(scale, std::fabs(double(e[i])));
  }
  return diff / scale;
}

TEST(PrefillDecode, HybridModelMatchesFullPrefill) {
  std::string dir = makeModel(kHybrid);
  LoadedModel model(dir + "/m.ssdc", dir + "/model.safetensors", "cpu", true);
  const Plan &plan = model.artifact().plan;
  std::vector<int64_t> all = {5, 17, 3, 99, 42, 8, 61, 23, 77, 14, 2, 90, 31, 56};
  const int64_t prompt = 9, steps = all.size() - prompt;

  auto runner = model.runner();
  int64_t n = all.size();
  RunResult full = runner(plan.select("prefill", n), all, 1, n, {});
  int64_t vocab = full.logits.shape.back();

  std::vector<int64_t> head(all.begin(), all.begin() + prompt);
  RunResult r = runner(plan.select("prefill", prompt), head, 1, prompt, {});
  EXPECT_LT(relError(r.logits.data.data() + (prompt - 1) * vocab,
                     full.logits.data.data() + (prompt - 1) * vocab, vocab),
            1e-5);
  for (int64_t i = 0; i < steps; ++i) {
    r = runner(plan.select("decode", 1), {all[prompt + i]}, 1, 1, r.states);
    double err = relError(r.logits.data.data(),
                          full.logits.data.data() + (prompt + i) * vocab, vocab);
    EXPECT_LT(err, 1e-5) << "decode step " << i;
  }
  // The KV cache grew to every position.
  ASSERT_TRUE(r.states.count("layers.1.keys"));
  EXPECT_EQ(r.states["layers.1.keys"].shape[1], n);
}

} // namespace
