// Causal depthwise conv1d with its window state: output t of channel c sees
// inputs t-K+1 .. t, the first ones from the state (the last K inputs of the
// previous call; zeros when there is none). Optional SiLU. The final state is
// the last K inputs of the history. Launch: any 1-D grid over batch·channels
// (ssdc/decode_launch.h conv1dLaunch gives the executor's).
#ifndef SSDC_CUDA_CONV1D_CUH
#define SSDC_CUDA_CONV1D_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <typename TX, typename TW, typename TY>
__device__ void conv1dKernel(const Conv1dParams &p) {
  const TX *x = static_cast<const TX *>(p.x);
  const TW *w = static_cast<const TW *>(p.w), *bias = static_cast<const TW *>(p.bias);
  TY *y = static_cast<TY *>(p.y);
  const int64_t K = p.kernel, Cn = p.channels, L = p.len;
  const bool narrow = p.batch * Cn < (int64_t(1) << 31);  // 32-bit (b, c) split
  for (int64_t i = globalIndex(); i < p.batch * Cn; i += globalStride()) {
    int64_t b, c;
    if (narrow) {
      const unsigned bu = unsigned(i) / unsigned(Cn);
      b = bu;
      c = int64_t(unsigned(i) - bu * unsigned(Cn));
    } else {
      b = i / Cn;
      c = i % Cn;
    }
    // hist(j) for j in [0, K + L): K state values, then the inputs.
    auto hist = [&](int64_t j) -> float {
      if (j < K)
        return p.initState ? float(p.initState[(b * Cn + c) * K + j]) : 0.0f;
      return float(x[(b * L + (j - K)) * Cn + c]);
    };
    for (int64_t t = 0; t < L; ++t) {
      float acc = bias ? float(bias[c]) : 0.0f;
      for (int64_t k = 0; k < K; ++k)
        acc += float(w[c * K + k]) * hist(t + 1 + k);
      y[(b * L + t) * Cn + c] = TY(p.silu ? siluf(acc) : acc);
    }
    if (p.finalState)
      for (int64_t k = 0; k < K; ++k)
        p.finalState[(b * Cn + c) * K + k] = hist(L + k);
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CONV1D_CUH
