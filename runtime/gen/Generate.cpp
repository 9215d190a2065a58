// Prefill once, then decode token by token.
#include "runtime/gen/Generate.h"

#include "runtime/core/Error.h"

#include <chrono>
#include <algorithm>
#include <map>

namespace ssdc::rt {

namespace {
double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}
} // namespace

Generation generate(const RunStep &executor, const Plan &plan,
                    const std::vector<int64_t> &prompt, int64_t maxNewTokens,
                    Sampler &sampler, const std::function<void(int64_t)> &onToken) {
  if (prompt.empty())
    throw RuntimeError("the prompt is empty: give at least one token");
  if (maxNewTokens < 1)
    throw RuntimeError("--max-new-tokens must be at least 1, got " +
                       std::to_string(maxNewTokens));
  Generation g;
  auto start = std::chrono::steady_clock::now();
  int64_t length = static_cast<int64_t>(prompt.size());
  RunResult r = executor(plan.select("prefill", length), prompt, 1, length, {});
  g.vocab = r.logits.shape.back();
  const float *last = r.logits.data.data() + (length - 1) * g.vocab;
  g.prefillSeconds = seconds(start);

  start = std::chrono::steady_clock::now();
  const Entry &decode = plan.select("decode", 1);
  g.stepLogits.reserve(maxNewTokens * g.vocab);
  std::vector<float> logits(last, last + g.vocab);
  for (int64_t i = 0; i < maxNewTokens; ++i) {
    int64_t token = sampler.next(logits.data(), g.vocab);
    g.tokens.push_back(token);
    g.stepLogits.insert(g.stepLogits.end(), logits.begin(), logits.end());
    if (onToken)
      onToken(token);
    if (i + 1 == maxNewTokens)
      break;
    r = executor(decode, {token}, 1, 1, r.states);
    logits.assign(r.logits.data.begin(), r.logits.data.end());
  }
  g.decodeSeconds = seconds(start);
  return g;
}

std::vector<Generation>
generateBatch(const RunStep &executor, const Plan &plan,
              const std::vector<std::vector<int64_t>> &prompts,
              int64_t maxNewTokens, std::vector<Sampler> &samplers,
              const std::function<void(size_t, int64_t)> &onToken) {
  size_t batch = prompts.size();
  if (batch == 0 || samplers.size() != batch)
    throw RuntimeError("generateBatch needs one sampler per prompt");
  if (maxNewTokens < 1)
    throw RuntimeError("--max-new-tokens must be at least 1, got " +
                       std::to_string(maxNewTokens));
  std::vector<Generation> out(batch);
  std::map<std::string, Tensor> states;
  std::vector<std::vector<float>> logits(batch);
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < batch; ++i) {
    const std::vector<int64_t> &p = prompts[i];
    if (p.empty())
      throw RuntimeError("prompt " + std::to_string(i) + " is empty");
    int64_t length = static_cast<int64_t>(p.size());
    RunResult r = executor(plan.select("prefill", length), p, 1, length, {});
    int64_t vocab = r.logits.shape.back();
    out[i].vocab = vocab;
    logits[i].assign(r.logits.data.end() - vocab, r.logits.data.end());
    // Stack this sequence's states as row i of the batch.
    for (auto &[name, t] : r.states) {
      Tensor &all = states[name];
      if (all.shape.empty()) {
        all.shape = t.shape;
        all.shape[0] = 0;
      }
      if (!std::equal(all.shape.begin() + 1, all.shape.end(), t.shape.begin() + 1,
                      t.shape.end()))
        throw RuntimeError("state '" + name + "' of prompt " + std::to_string(i) +
                           " has shape " + shapeString(t.shape) +
                           ", unlike the batch's (attention caches grow with the "
                           "prompt): batch prompts of one length for models "
                           "with attention layers");
      all.shape[0] += 1;
      all.data.insert(all.data.end(), t.data.begin(), t.data.end());
    }
  }
  double prefill = seconds(start);
  start = std::chrono::steady_clock::now();
  const Entry &decode = plan.select("decode", 1);
  for (int64_t step = 0; step < maxNewTokens; ++step) {
    std::vector<int64_t> next(batch);
    for (size_t i = 0; i < batch; ++i) {
      next[i] = samplers[i].next(logits[i].data(), out[i].vocab);
      out[i].tokens.push_back(next[i]);
      out[i].stepLogits.insert(out[i].stepLogits.end(), logits[i].begin(),
                               logits[i].end());
      if (onToken)
        onToken(i, next[i]);
    }
    if (step + 1 == maxNewTokens)
      break;
    RunResult r = executor(decode, next, batch, 1, states);
    states = std::move(r.states);
    int64_t vocab = r.logits.shape.back();
    for (size_t i = 0; i < batch; ++i)
      logits[i].assign(r.logits.data.begin() + i * vocab,
                       r.logits.data.begin() + (i + 1) * vocab);
  }
  double decodeSeconds = seconds(start);
  for (Generation &g : out) {
    g.prefillSeconds = prefill;
    g.decodeSeconds = decodeSeconds;
  }
  return out;
}

} // namespace ssdc::rt
