// Causal softmax attention with GQA, neox RoPE and a KV cache, for the CPU
// executor's hybrid (mamba_ssm MHA) layers. Plain loops, correct first: the
// Halide attention kernel of codegen/cpu has no cache yet; this is its
// stand-in until it does.
#ifndef SSDC_RUNTIME_CPU_ATTENTION_H
#define SSDC_RUNTIME_CPU_ATTENTION_H

#include <cstdint>

namespace ssdc::rt {

struct AttentionShape {
  int64_t batch = 1, len = 1, past = 0;  ///< new positions, cached positions
  int64_t hq = 1, hk = 1, d = 1, dv = 1;
  int64_t rotaryDim = 0;
  double ropeTheta = 10000.0;
  double scale = 0;  ///< 0: 1/sqrt(d)
};

/// q [b,len,hq,d], k [b,len,hk,d], v [b,len,hk,dv]; pastK [b,past,hk,d] (keys
/// already rotated), pastV [b,past,hk,dv] (null when past = 0). Writes
/// out [b,len,hq,dv] and the next cache: keys [b,past+len,hk,d] (rotated at
/// positions past..past+len-1), values [b,past+len,hk,dv].
void attentionWithCache(const AttentionShape &s, const float *q, const float *k,
                        const float *v, const float *pastK, const float *pastV,
                        float *out, float *keys, float *values);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CPU_ATTENTION_H
