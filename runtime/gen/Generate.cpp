// Prefill once, then decode token by token, over a Decoder (Generate.h).
#include "runtime/gen/Generate.h"

#include "runtime/core/Error.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace ssdc::rt {

namespace {
double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}
} // namespace

void HostDecoder::start(int64_t b, int64_t) {
  batch = b;
  states.clear();
}

std::vector<float> HostDecoder::prefill(const Entry &entry, size_t row,
                                        const std::vector<int64_t> &prompt) {
  int64_t length = static_cast<int64_t>(prompt.size());
  RunResult r = step(entry, prompt, 1, length, {});
  int64_t vocab = r.logits.shape.back();
  if (row == 0)
    states.clear();
  // Stack this sequence's states as row `row` of the batch (rows come in
  // order).
  for (auto &[name, t] : r.states) {
    Tensor &all = states[name];
    if (all.shape.empty()) {
      all.shape = t.shape;
      all.shape[0] = 0;
    }
    if (!std::equal(all.shape.begin() + 1, all.shape.end(), t.shape.begin() + 1,
                    t.shape.end()))
      throw RuntimeError("state '" + name + "' of prompt " + std::to_string(row) +
                         " has shape " + shapeString(t.shape) +
                         ", unlike the batch's (attention caches grow with the "
                         "prompt): batch prompts of one length for models "
                         "with attention layers");
    all.shape[0] += 1;
    all.data.insert(all.data.end(), t.data.begin(), t.data.end());
  }
  return std::vector<float>(r.logits.data.end() - vocab, r.logits.data.end());
}

std::vector<float> HostDecoder::decode(const Entry &entry,
                                       const std::vector<int64_t> &tokens) {
  RunResult r = step(entry, tokens, batch, 1, states);
  states = std::move(r.states);
  return std::move(r.logits.data);
}

Generation generate(const RunStep &executor, const Plan &plan,
                    const std::vector<int64_t> &prompt, int64_t maxNewTokens,
                    Sampler &sampler, const std::function<void(int64_t)> &onToken) {
  HostDecoder decoder(executor);
  return generate(decoder, plan, prompt, maxNewTokens, sampler, onToken);
}

Generation generate(Decoder &decoder, const Plan &plan,
                    const std::vector<int64_t> &prompt, int64_t maxNewTokens,
                    Sampler &sampler, const std::function<void(int64_t)> &onToken) {
  if (prompt.empty())
    throw RuntimeError("the prompt is empty: give at least one token");
  if (maxNewTokens < 1)
    throw RuntimeError("--max-new-tokens must be at least 1, got " +
                       std::to_string(maxNewTokens));
  Generation g;
  int64_t length = static_cast<int64_t>(prompt.size());
  decoder.start(1, length + maxNewTokens);
  auto start = std::chrono::steady_clock::now();
  std::vector<float> logits = decoder.prefill(plan.select("prefill", length), 0, prompt);
  g.vocab = static_cast<int64_t>(logits.size());
  g.prefillSeconds = seconds(start);

  start = std::chrono::steady_clock::now();
  const Entry &decode = plan.select("decode", 1);
  g.stepLogits.reserve(maxNewTokens * g.vocab);
  for (int64_t i = 0; i < maxNewTokens; ++i) {
    int64_t token = sampler.next(logits.data(), g.vocab);
    g.tokens.push_back(token);
    g.stepLogits.insert(g.stepLogits.end(), logits.begin(), logits.end());
    if (onToken)
      onToken(token);
    if (i + 1 == maxNewTokens)
      break;
    logits = decoder.decode(decode, {token});
  }
  g.decodeSeconds = seconds(start);
  return g;
}

std::vector<Generation>
generateBatch(const RunStep &executor, const Plan &plan,
              const std::vector<std::vector<int64_t>> &prompts,
              int64_t maxNewTokens, std::vector<Sampler> &samplers,
              const std::function<void(size_t, int64_t)> &onToken) {
  HostDecoder decoder(executor);
  return generateBatch(decoder, plan, prompts, maxNewTokens, samplers, onToken);
}

std::vector<Generation>
generateBatch(Decoder &decoder, const Plan &plan,
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
  std::vector<std::vector<float>> logits(batch);
  int64_t longest = 0;
  for (size_t i = 0; i < batch; ++i) {
    if (prompts[i].empty())
      throw RuntimeError("prompt " + std::to_string(i) + " is empty");
    longest = std::max<int64_t>(longest, prompts[i].size());
  }
  decoder.start(static_cast<int64_t>(batch), longest + maxNewTokens);
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < batch; ++i) {
    const std::vector<int64_t> &p = prompts[i];
    logits[i] = decoder.prefill(plan.select("prefill", static_cast<int64_t>(p.size())), i, p);
    out[i].vocab = static_cast<int64_t>(logits[i].size());
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
    std::vector<float> all = decoder.decode(decode, next);
    size_t vocab = all.size() / batch;
    for (size_t i = 0; i < batch; ++i)
      logits[i].assign(all.begin() + i * vocab, all.begin() + (i + 1) * vocab);
  }
  double decodeSeconds = seconds(start);
  for (Generation &g : out) {
    g.prefillSeconds = prefill;
    g.decodeSeconds = decodeSeconds;
  }
  return out;
}

} // namespace ssdc::rt
