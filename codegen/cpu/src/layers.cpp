// Wrapper API for the layer kernels: conv1d (prefill, step), the RMSNorms,
// SiLU, softplus, embedding and attention.
#include "ssdc/cpu_kernels.h"

#include "buffers.h"
#include "ssdc_hl_attention.h"
#include "ssdc_hl_conv1d.h"
#include "ssdc_hl_conv1d_step.h"
#include "ssdc_hl_embedding.h"
#include "ssdc_hl_rmsnorm_gated.h"
#include "ssdc_hl_rmsnorm_residual.h"
#include "ssdc_hl_silu.h"
#include "ssdc_hl_softplus.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ssdc {
namespace cpu {

using detail::Buf;
using detail::view;
using detail::viewOrZeros;

int conv1d(int batch, int len, int channels, int kernel, const float *x,
           const float *weight, const float *bias, const float *initState,
           bool applySilu, float *out, float *finalState) {
  std::vector<float> zBias, zInit, scratch;
  if (!finalState) {
    scratch.resize(size_t(batch) * channels * kernel);
    finalState = scratch.data();
  }
  return ssdc_hl_conv1d(view(x, {batch, len, channels}),
                        view(weight, {channels, kernel}),
                        viewOrZeros(bias, zBias, {channels}),
                        viewOrZeros(initState, zInit, {batch, channels, kernel}),
                        applySilu, view(out, {batch, len, channels}),
                        view(finalState, {batch, channels, kernel}));
}

int conv1dStep(int batch, int channels, int kernel, const float *x,
               const float *weight, const float *bias, bool applySilu,
               float *state, float *out) {
  // The kernel reads window entry k + 1 to write entry k: give it a copy.
  std::vector<float> zBias, old(state, state + size_t(batch) * channels * kernel);
  return ssdc_hl_conv1d_step(view(x, {batch, channels}),
                             view(weight, {channels, kernel}),
                             viewOrZeros(bias, zBias, {channels}),
                             view(old.data(), {batch, channels, kernel}),
                             applySilu, view(state, {batch, channels, kernel}),
                             view(out, {batch, channels}));
}

int rmsnormGated(int rows, int d, int groupSize, float eps, bool normBeforeGate,
                 const float *x, const float *z, const float *w, float *out) {
  if (groupSize <= 0 || d % groupSize != 0)
    return -1;
  return ssdc_hl_rmsnorm_gated(view(x, {rows, d}), view(z ? z : x, {rows, d}),
                               view(w, {d}), groupSize, eps, normBeforeGate,
                               z != nullptr, view(out, {rows, d}));
}

int rmsnormResidual(int rows, int d, float eps, const float *hidden,
                    const float *residual, const float *w, float *out,
                    float *residualOut) {
  return ssdc_hl_rmsnorm_residual(
      view(hidden, {rows, d}), view(residual ? residual : hidden, {rows, d}),
      view(w, {d}), eps, residual != nullptr, view(out, {rows, d}),
      view(residualOut, {rows, d}));
}

int silu(int64_t n, const float *x, float *out) {
  return ssdc_hl_silu(view(x, {int(n)}), view(out, {int(n)}));
}

int softplus(int64_t n, const float *x, float *out) {
  return ssdc_hl_softplus(view(x, {int(n)}), view(out, {int(n)}));
}

int embedding(int rows, int d, int vocab, const int32_t *ids,
              const float *table, float *out) {
  Halide::Runtime::Buffer<int32_t> idsB(const_cast<int32_t *>(ids), rows);
  return ssdc_hl_embedding(idsB, view(table, {vocab, d}), view(out, {rows, d}));
}

int attention(int batch, int len, int hq, int hkv, int headdim, int rotaryDim,
              float ropeTheta, int pos0, const float *q, const float *k,
              const float *v, float *out) {
  if (hkv <= 0 || hq % hkv != 0 || rotaryDim % 2 != 0 || rotaryDim > headdim)
    return -1;
  // cos/sin tables [t, i] in double precision, rounded once to fp32.
  const int half = rotaryDim / 2, width = std::max(half, 1);
  std::vector<float> cosT(size_t(len) * width, 1.0f), sinT(cosT.size(), 0.0f);
  for (int t = 0; t < len; ++t)
    for (int i = 0; i < half; ++i) {
      const double freq = std::pow(double(ropeTheta), -2.0 * i / rotaryDim);
      const double ang = double(pos0 + t) * freq;
      cosT[size_t(t) * width + i] = float(std::cos(ang));
      sinT[size_t(t) * width + i] = float(std::sin(ang));
    }
  return ssdc_hl_attention(view(q, {batch, len, hq, headdim}),
                           view(k, {batch, len, hkv, headdim}),
                           view(v, {batch, len, hkv, headdim}),
                           view(cosT.data(), {len, width}),
                           view(sinT.data(), {len, width}), rotaryDim,
                           view(out, {batch, len, hq, headdim}));
}

} // namespace cpu
} // namespace ssdc
