// Prefill once, then decode token by token.
#include "runtime/gen/Generate.h"

#include "runtime/core/Error.h"

#include <chrono>

namespace ssdc::rt {

namespace {
double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}
} // namespace

Generation generate(CpuExecutor &executor, const Plan &plan,
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
  RunResult r = executor.run(plan.select("prefill", length), prompt, 1, length, {});
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
    r = executor.run(decode, {token}, 1, 1, r.states);
    logits.assign(r.logits.data.begin(), r.logits.data.end());
  }
  g.decodeSeconds = seconds(start);
  return g;
}

} // namespace ssdc::rt
