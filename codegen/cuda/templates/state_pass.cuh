// ssd.state_pass (strategy sequential): prev[c] = exp(total[c−1]) prev[c−1]
// + states[c−1], prev[0] = init (zeros without one); the final state follows
// the last chunk. total[c] is the last cum of chunk c.
// Launch: any 1-D grid over batch·heads·headdim·dstate; each thread walks the
// chunks of one state element in order.
#ifndef SSDC_CUDA_STATE_PASS_CUH
#define SSDC_CUDA_STATE_PASS_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <int Q>
__device__ void statePassKernel(const StatePassParams &p) {
  const int64_t H = p.heads, P = p.headdim, N = p.dstate, L = p.len;
  const int64_t chunks = (L + Q - 1) / Q, per = H * P * N;
  for (int64_t i = globalIndex(); i < p.batch * per; i += globalStride()) {
    int64_t b = i / per, e = i % per, h = e / (P * N);
    float s = p.init ? p.init[i] : 0.0f;
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t at = (b * chunks + c) * per + e;
      p.prev[at] = s;
      int64_t last = min(L, (c + 1) * Q) - 1;
      s = decay(p.cum[(b * L + last) * H + h]) * s + p.states[at];
    }
    p.finalState[i] = s;
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_STATE_PASS_CUH
