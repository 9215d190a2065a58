// Wrapper API for the SSD kernels: the recurrent, quadratic and chunked
// schedules and the decode step. The chunked schedule runs its four stage
// kernels with scratch buffers allocated here.
#include "ssdc/cpu_kernels.h"

#include "buffers.h"
#include "ssdc_hl_ssd_chunk_cumsum.h"
#include "ssdc_hl_ssd_chunk_output.h"
#include "ssdc_hl_ssd_chunk_state.h"
#include "ssdc_hl_ssd_quadratic.h"
#include "ssdc_hl_ssd_recurrent.h"
#include "ssdc_hl_ssd_state_pass.h"
#include "ssdc_hl_ssd_step.h"

#include <vector>

namespace ssdc {
namespace cpu {

using detail::Buf;
using detail::view;
using detail::viewOrZeros;

namespace {

/// Shapes the kernels accept: every extent positive, heads a multiple of groups.
bool validShape(const SsdShape &s) {
  return s.batch > 0 && s.len > 0 && s.heads > 0 && s.headdim > 0 &&
         s.groups > 0 && s.dstate > 0 && s.heads % s.groups == 0;
}

// The inputs every full-length SSD schedule takes, as Halide buffers.
struct SsdBuffers {
  std::vector<float> zD, zBias, zInit, scratchFinal;
  Buf x, dt, A, B, C, D, dtBias, init, y, finalState;

  SsdBuffers(const SsdShape &s, const SsdArgs &a) {
    const int b = s.batch, l = s.len, h = s.heads, p = s.headdim,
              g = s.groups, n = s.dstate;
    x = view(a.x, {b, l, h, p});
    dt = view(a.dt, {b, l, h});
    A = view(a.A, {h});
    B = view(a.B, {b, l, g, n});
    C = view(a.C, {b, l, g, n});
    D = viewOrZeros(a.D, zD, {h});
    dtBias = viewOrZeros(a.dtBias, zBias, {h});
    init = viewOrZeros(a.initState, zInit, {b, h, p, n});
    y = view(a.y, {b, l, h, p});
    if (a.finalState) {
      finalState = view(a.finalState, {b, h, p, n});
    } else {
      scratchFinal.resize(size_t(b) * h * p * n);
      finalState = view(scratchFinal.data(), {b, h, p, n});
    }
  }
};

} // namespace

int ssdRecurrent(const SsdShape &s, const DtParams &dtp, const SsdArgs &a) {
  if (!validShape(s))
    return -1;
  SsdBuffers bf(s, a);
  return ssdc_hl_ssd_recurrent(bf.x, bf.dt, bf.A, bf.B, bf.C, bf.D, bf.dtBias,
                               bf.init, dtp.dtMin, detail::finiteDtMax(dtp.dtMax),
                               dtp.softplus, bf.y, bf.finalState);
}

int ssdQuadratic(const SsdShape &s, const DtParams &dtp, const SsdArgs &a) {
  if (!validShape(s))
    return -1;
  SsdBuffers bf(s, a);
  return ssdc_hl_ssd_quadratic(bf.x, bf.dt, bf.A, bf.B, bf.C, bf.D, bf.dtBias,
                               bf.init, dtp.dtMin, detail::finiteDtMax(dtp.dtMax),
                               dtp.softplus, bf.y, bf.finalState);
}

int ssdChunked(const SsdShape &s, const DtParams &dtp, const SsdArgs &a,
               int chunk) {
  if (chunk <= 0 || !validShape(s))
    return -1;
  SsdBuffers bf(s, a);
  const int b = s.batch, h = s.heads, p = s.headdim, n = s.dstate;
  const int nc = (s.len + chunk - 1) / chunk;
  // Per-chunk scalars [b,h,c,q]; chunk states and passed states [b,c,h,n,p].
  // Scratch is kept per thread and only grows: a fresh multi-MB allocation
  // per call costs page faults comparable to the kernels at long L.
  thread_local std::vector<float> dtc, hi, lo, states, prev;
  auto grow = [](std::vector<float> &v, size_t n) {
    if (v.size() < n)
      v.resize(n);
  };
  const size_t nScalars = size_t(b) * h * nc * chunk;
  const size_t nStates = size_t(b) * nc * h * n * p;
  grow(dtc, nScalars);
  grow(hi, nScalars);
  grow(lo, nScalars);
  grow(states, nStates);
  grow(prev, nStates);
  Buf dtcB = view(dtc.data(), {b, h, nc, chunk});
  Buf hiB = view(hi.data(), {b, h, nc, chunk});
  Buf loB = view(lo.data(), {b, h, nc, chunk});
  Buf statesB = view(states.data(), {b, nc, h, n, p});
  Buf prevB = view(prev.data(), {b, nc, h, n, p});
  int err = ssdc_hl_ssd_chunk_cumsum(bf.dt, bf.A, bf.dtBias, dtp.dtMin,
                                     detail::finiteDtMax(dtp.dtMax),
                                     dtp.softplus, chunk, dtcB, hiB, loB);
  if (!err)
    err = ssdc_hl_ssd_chunk_state(bf.x, bf.B, dtcB, hiB, loB, statesB);
  if (!err)
    err = ssdc_hl_ssd_state_pass(statesB, hiB, loB, bf.init, prevB,
                                 bf.finalState);
  if (!err)
    err = ssdc_hl_ssd_chunk_output(bf.x, bf.B, bf.C, bf.D, dtcB, hiB, loB,
                                   prevB, bf.y);
  return err;
}

int ssdDecodeStep(const SsdShape &s, const DtParams &dtp, const float *x,
                  const float *dt, const float *A, const float *B,
                  const float *C, const float *D, const float *dtBias,
                  float *state, float *y) {
  SsdShape one = s;
  one.len = 1;
  if (!validShape(one))
    return -1;
  const int b = s.batch, h = s.heads, p = s.headdim, g = s.groups,
            n = s.dstate;
  std::vector<float> zD, zBias;
  Buf stateB = view(state, {b, h, p, n});
  return ssdc_hl_ssd_step(view(x, {b, h, p}), view(dt, {b, h}), view(A, {h}),
                          view(B, {b, g, n}), view(C, {b, g, n}),
                          viewOrZeros(D, zD, {h}),
                          viewOrZeros(dtBias, zBias, {h}), stateB,
                          dtp.dtMin, detail::finiteDtMax(dtp.dtMax),
                          dtp.softplus, stateB, view(y, {b, h, p}));
}

} // namespace cpu
} // namespace ssdc
