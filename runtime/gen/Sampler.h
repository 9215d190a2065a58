// Picks the next token from logits: greedy (argmax, lowest id on ties) unless
// a temperature > 0 is given; then softmax(logits / T), optionally restricted
// to the top-k ids and to the smallest set whose probability reaches top-p,
// drawn with a seeded generator (same seed, same tokens).
#ifndef SSDC_RUNTIME_GEN_SAMPLER_H
#define SSDC_RUNTIME_GEN_SAMPLER_H

#include <cstdint>
#include <random>

namespace ssdc::rt {

struct SamplingOptions {
  double temperature = 0.0; ///< 0 = greedy
  int64_t topK = 0;         ///< 0 = all
  double topP = 1.0;        ///< 1 = all
  uint64_t seed = 0;
};

class Sampler {
public:
  explicit Sampler(SamplingOptions options)
      : options(options), rng(options.seed) {}

  int64_t next(const float *logits, int64_t vocab);

private:
  SamplingOptions options;
  std::mt19937_64 rng;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_GEN_SAMPLER_H
