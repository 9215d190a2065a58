// Causal depthwise conv1d with its window state: output t of channel c sees
// inputs t-K+1 .. t, the first ones from the state (the last K inputs of the
// previous call; zeros when there is none). Optional SiLU. The final state is
// the last K inputs of the history. Each thread takes kConv1dTile positions
// of one (batch, channel), keeping the window in registers (K <= 8). Launch:
// any 1-D grid (ssdc/decode_launch.h conv1dLaunch gives the executor's).
#ifndef SSDC_CUDA_CONV1D_CUH
#define SSDC_CUDA_CONV1D_CUH

#include "common.cuh"
#include "ssdc/decode_launch.h"

namespace ssdc {
namespace cuda {

template <typename TX, typename TW, typename TY>
__device__ void conv1dKernel(const Conv1dParams &p) {
  const TX *x = static_cast<const TX *>(p.x);
  const TW *w = static_cast<const TW *>(p.w), *bias = static_cast<const TW *>(p.bias);
  TY *y = static_cast<TY *>(p.y);
  const int64_t K = p.kernel, Cn = p.channels, L = p.len;
  const int64_t xRow = p.xRow ? p.xRow : Cn;  // x may be a column range of a wider row
  // Work items (b, tile of kConv1dTile positions, c), c fastest so a warp's
  // loads and stores are coalesced across channels; a prefill spreads over
  // L / kConv1dTile times more threads than one thread per channel would.
  const int64_t tiles = (L + kConv1dTile - 1) / kConv1dTile;
  const int64_t total = p.batch * tiles * Cn;
  for (int64_t i = globalIndex(); i < total; i += globalStride()) {
    const int64_t c = i % Cn, rest = i / Cn;
    const int64_t tile = rest % tiles, b = rest / tiles;
    // hist(j) for j in [0, K + L): K state values, then the inputs.
    auto hist = [&](int64_t j) -> float {
      if (j < K)
        return p.initState ? float(p.initState[(b * Cn + c) * K + j]) : 0.0f;
      return float(x[(b * L + (j - K)) * xRow + c]);
    };
    const float bc = bias ? float(bias[c]) : 0.0f;
    const int64_t t0 = tile * kConv1dTile;
    const int64_t t1 = t0 + kConv1dTile < L ? t0 + kConv1dTile : L;
    if (K <= kConv1dMaxWindow) {
      // Sliding window in registers: one new input per output.
      float wk[kConv1dMaxWindow], win[kConv1dMaxWindow];
#pragma unroll
      for (int k = 0; k < kConv1dMaxWindow; ++k) {
        wk[k] = k < K ? float(w[c * K + k]) : 0.0f;
        win[k] = k + 1 < K ? hist(t0 + 1 + k) : 0.0f;  // the K-1 inputs before t0
      }
      for (int64_t t = t0; t < t1; ++t) {
        // win[0..K-2] hold hist(t+1 .. t+K-1); the newest is hist(t+K).
        float acc = bc;
        const float newest = hist(t + K);
#pragma unroll
        for (int k = 0; k < kConv1dMaxWindow; ++k) {
          if (k + 1 < K)
            acc += wk[k] * win[k];
          else if (k + 1 == K)
            acc += wk[k] * newest;
        }
#pragma unroll
        for (int k = 0; k + 1 < kConv1dMaxWindow; ++k)
          win[k] = k + 2 < K ? win[k + 1] : (k + 2 == K ? newest : 0.0f);
        y[(b * L + t) * Cn + c] = TY(p.silu ? siluf(acc) : acc);
      }
    } else {
      for (int64_t t = t0; t < t1; ++t) {
        float acc = bc;
        for (int64_t k = 0; k < K; ++k)
          acc += float(w[c * K + k]) * hist(t + 1 + k);
        y[(b * L + t) * Cn + c] = TY(p.silu ? siluf(acc) : acc);
      }
    }
    if (p.finalState && tile == tiles - 1)
      for (int64_t k = 0; k < K; ++k)
        p.finalState[(b * Cn + c) * K + k] = hist(L + k);
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CONV1D_CUH
