// The generation loop: the prompt through the prefill plan (the bucket that
// holds its length), then one token at a time through the decode plan,
// carrying the states. The states live where a Decoder keeps them: on the
// host between calls of a RunStep (the CPU executor, and the CUDA
// executor's run()), or on the device (a CUDA session: only logits come
// back).
#ifndef SSDC_RUNTIME_GEN_GENERATE_H
#define SSDC_RUNTIME_GEN_GENERATE_H

#include "runtime/core/Plan.h"
#include "runtime/cpu/CpuExecutor.h"
#include "runtime/gen/Sampler.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ssdc::rt {

/// Runs one entry (CpuExecutor::run's contract): the CPU or CUDA executor.
using RunStep = std::function<RunResult(
    const Entry &, const std::vector<int64_t> &ids, int64_t batch, int64_t length,
    const std::map<std::string, Tensor> &states)>;

/// Prefill and decode steps over states the decoder keeps between calls.
class Decoder {
public:
  virtual ~Decoder() = default;
  /// Starts `batch` sequences with room for `capacity` positions each
  /// (attention caches: prompt length + new tokens).
  virtual void start(int64_t batch, int64_t capacity) = 0;
  /// Prefills sequence `row` alone with `prompt` through `entry`; its states
  /// become row `row`'s. Returns the logits of its last position [vocab].
  virtual std::vector<float> prefill(const Entry &entry, size_t row,
                                     const std::vector<int64_t> &prompt) = 0;
  /// One step of every sequence: `tokens` [batch] in, logits [batch, vocab]
  /// out.
  virtual std::vector<float> decode(const Entry &entry,
                                    const std::vector<int64_t> &tokens) = 0;
};

/// A Decoder over a RunStep: states come back to the host after every call
/// and go in again with the next (stacked along the batch after prefill).
class HostDecoder : public Decoder {
public:
  explicit HostDecoder(RunStep step) : step(std::move(step)) {}
  void start(int64_t batch, int64_t capacity) override;
  std::vector<float> prefill(const Entry &entry, size_t row,
                             const std::vector<int64_t> &prompt) override;
  std::vector<float> decode(const Entry &entry,
                            const std::vector<int64_t> &tokens) override;

private:
  RunStep step;
  int64_t batch = 1;
  std::map<std::string, Tensor> states;
};

struct Generation {
  std::vector<int64_t> tokens;     ///< the new tokens
  std::vector<float> stepLogits;   ///< [tokens, vocab]: what each was chosen from
  int64_t vocab = 0;
  double prefillSeconds = 0, decodeSeconds = 0;
};

Generation generate(const RunStep &executor, const Plan &plan,
                    const std::vector<int64_t> &prompt, int64_t maxNewTokens,
                    Sampler &sampler,
                    const std::function<void(int64_t)> &onToken = {});
Generation generate(Decoder &decoder, const Plan &plan,
                    const std::vector<int64_t> &prompt, int64_t maxNewTokens,
                    Sampler &sampler,
                    const std::function<void(int64_t)> &onToken = {});

/// Several prompts of any lengths at once: each is prefilled on its own (its
/// state is that of its own last token, never of padding), then the states
/// are stacked along the batch and all sequences decode together, one
/// sampler each. `onToken(sequence, token)` is called as tokens come.
std::vector<Generation>
generateBatch(const RunStep &executor, const Plan &plan,
              const std::vector<std::vector<int64_t>> &prompts,
              int64_t maxNewTokens, std::vector<Sampler> &samplers,
              const std::function<void(size_t, int64_t)> &onToken = {});
std::vector<Generation>
generateBatch(Decoder &decoder, const Plan &plan,
              const std::vector<std::vector<int64_t>> &prompts,
              int64_t maxNewTokens, std::vector<Sampler> &samplers,
              const std::function<void(size_t, int64_t)> &onToken = {});

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_GEN_GENERATE_H
