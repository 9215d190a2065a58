// The SSD device templates against the float64 reference (ssdc_reference):
// the recurrent scan (multi-token and the one-token decode step with an
// initial state), the quadratic form, and the chunked pipeline as a plan runs
// it — chunk_cumsum (dt bias, softplus, limits and the log decay dt'·A),
// the v = x · dt' broadcast mul that ssd-fuse leaves before chunk_state (with a
// cast of dt' to bf16 first in bf16 plans), chunk_state, state_pass (initial
// state in, final state out) and chunk_output (with the fused D skip) — at
// Q = 1, 7, 10, 16, 32, 64, 128, 256 and 512, over the shape cases of the CPU
// kernel tests (test/unit/numerics/ssd_test.cpp: G = 1 and G > 1, P != N, L = 1,
// L < Q, L = Q, L not a multiple of Q, L = 4096, decays dt·A from about -1e-4
// to -50 spread over the heads, initial states, dt limits, no softplus) and
// the mamba2-130m head shape. Errors are max|a − e| / max|e| per (batch, head),
// as in the CPU tests, for y and the final state.
#include "check.h"

#include "chunk_cumsum.cuh"
#include "chunk_output.cuh"
#include "chunk_state.cuh"
#include "elementwise.cuh"
#include "ssm_quadratic.cuh"
#include "ssm_recurrent.cuh"
#include "state_pass.cuh"

#include "ssdc/reference.h"
#include "ssdc/ssd_staged_launch.h"

#include <type_traits>

using namespace ssdc::cuda;

namespace kcheck {
namespace {

// The kernels as kernels.cu instantiates them (CudaEmitter.cpp): every
// activation operand in one storage type T, states and cumsums in f32.
template <typename T> __global__ void ssmRecurrentG(SsmParams p) {
  ssmRecurrentKernel<T, T, T, T>(p);
}
template <typename T> __global__ void ssmQuadraticG(SsmParams p) {
  ssmQuadraticKernel<T, T, T, T>(p);
}
template <int Q, typename T> __global__ void chunkCumsumG(ChunkCumsumParams p) {
  chunkCumsumKernel<Q, T>(p);
}
template <int Q, typename T> __global__ void chunkStateG(ChunkStateParams p) {
  chunkStateKernel<Q, T, T>(p);
}
template <int Q> __global__ void statePassG(StatePassParams p) { statePassKernel<Q>(p); }
template <int Q, typename T> __global__ void chunkOutputG(ChunkOutputParams p) {
  chunkOutputKernel<Q, T, T, T, T>(p);
}
template <typename T> __global__ void castFromF32G(UnaryParams p) {
  unaryKernel<Unary::Copy, float, T>(p);
}
template <typename T> __global__ void mulG(BinaryParams p) { binaryKernel<true, T, T, T>(p); }

struct SsdCase {
  std::string name;
  int b, l, h, p, g, n, q;
  unsigned seed;
  bool init = true;
  bool softplus = true;  // with dt bias; without: raw dt, no bias
  float dtMin = -INFINITY, dtMax = INFINITY;
  bool hasD = true;
  bool heavy = false;     // left out by --quick
  bool quadratic = true;  // run the quadratic schedule too
};

std::string describe(const SsdCase &c) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s b%d l%d h%d p%d g%d n%d", c.name.c_str(), c.b, c.l,
                c.h, c.p, c.g, c.n);
  std::string s = buf;
  if (!c.init) s += " no-init";
  if (!c.softplus) s += " no-softplus/bias";
  if (std::isfinite(c.dtMin) || std::isfinite(c.dtMax))
    s += " dt-limit[" + std::to_string(c.dtMin).substr(0, 4) + "," +
         std::to_string(c.dtMax).substr(0, 4) + "]";
  if (!c.hasD) s += " no-D";
  return s;
}

/// Host inputs, every value representable in the storage type under test.
struct SsdInputs {
  SsdCase c;
  std::vector<float> x, dt, A, B, C, D, bias, init;
  size_t ySize() const { return size_t(c.b) * c.l * c.h * c.p; }
  size_t stateSize() const { return size_t(c.b) * c.h * c.p * c.n; }
};

template <typename T> SsdInputs makeInputs(const SsdCase &c) {
  SsdInputs in;
  in.c = c;
  std::mt19937 rng(options().seed + c.seed);
  in.x = representable<T>(uniform(rng, size_t(c.b) * c.l * c.h * c.p, -1, 1));
  // dt after processing lands in about [0.4, 1.03].
  in.dt = representable<T>(c.softplus ? uniform(rng, size_t(c.b) * c.l * c.h, -0.6f, 0.5f)
                                      : uniform(rng, size_t(c.b) * c.l * c.h, 0.4f, 1.0f));
  if (c.softplus)
    in.bias = uniform(rng, c.h, -0.1f, 0.1f);
  // |A_h| log-spaced over [1e-4 / 0.45, 50] across the heads, shuffled: dt·A
  // covers about [-50, -1e-4] (strong and weak decay in one call).
  in.A.resize(c.h);
  const double lo = std::log(1e-4 / 0.45), hi = std::log(50.0);
  for (int h = 0; h < c.h; ++h) {
    double f = c.h == 1 ? 0.5 : double(h) / (c.h - 1);
    in.A[h] = -float(std::exp(lo + f * (hi - lo)));
  }
  std::shuffle(in.A.begin(), in.A.end(), rng);
  in.B = representable<T>(uniform(rng, size_t(c.b) * c.l * c.g * c.n, -1, 1));
  in.C = representable<T>(uniform(rng, size_t(c.b) * c.l * c.g * c.n, -1, 1));
  if (c.hasD)
    in.D = uniform(rng, c.h, -1, 1);
  if (c.init)
    in.init = uniform(rng, in.stateSize(), -1, 1);
  return in;
}

struct SsdOut {
  std::vector<double> y, state;
};

const double *ptr(const std::vector<double> &v) { return v.empty() ? nullptr : v.data(); }

/// The float64 reference on the same (representable) inputs.
SsdOut reference(const SsdInputs &in) {
  const SsdCase &c = in.c;
  ssdc::ref::SsdShape s{c.b, c.l, c.h, c.p, c.g, c.n};
  ssdc::ref::DtParams dtp{c.dtMin, c.dtMax, c.softplus};
  auto x = wide(in.x), dt = wide(in.dt), A = wide(in.A), B = wide(in.B), C = wide(in.C),
       D = wide(in.D), bias = wide(in.bias), init = wide(in.init);
  SsdOut r;
  r.y.resize(in.ySize());
  r.state.resize(in.stateSize());
  ssdc::ref::ssd(s, dtp, x.data(), dt.data(), A.data(), B.data(), C.data(), ptr(D),
                 ptr(bias), ptr(init), r.y.data(), r.state.data());
  return r;
}

/// Device copies of one case's inputs.
template <typename T> struct DevInputs {
  T *x, *dt, *B, *C;
  float *A, *D, *bias, *init;
  DevInputs(Arena &a, const SsdInputs &in) {
    x = a.in<T>(in.x, "x");
    dt = a.in<T>(in.dt, "dt");
    B = a.in<T>(in.B, "B");
    C = a.in<T>(in.C, "C");
    A = a.in<float>(in.A, "A");
    D = in.D.empty() ? nullptr : a.in<float>(in.D, "D");
    bias = in.bias.empty() ? nullptr : a.in<float>(in.bias, "dt_bias");
    init = in.init.empty() ? nullptr : a.in<float>(in.init, "initial state");
  }
};

/// SsmParams as runLaunch fills them for ssd.ssm.
template <typename T>
SsmParams ssmParams(const SsdInputs &in, const DevInputs<T> &d, T *y, float *fin) {
  const SsdCase &c = in.c;
  SsmParams p{};
  p.x = d.x;
  p.dt = d.dt;
  p.A = d.A;
  p.B = d.B;
  p.C = d.C;
  p.D = d.D;
  p.dtBias = d.bias;
  p.initState = d.init;
  p.y = y;
  p.finalState = fin;
  p.batch = c.b;
  p.len = c.l;
  p.heads = c.h;
  p.headdim = c.p;
  p.groups = c.g;
  p.dstate = c.n;
  p.dtSoftplus = c.softplus ? 1 : 0;
  p.dtMin = c.dtMin;
  p.dtMax = c.dtMax;
  return p;
}

/// A tiled SSD kernel with the geometry of ssdc/ssd_staged_launch.h (the
/// executor takes it from the same header).
template <typename P>
void launchTiled(void (*k)(P), const SsdTileLaunch &g, const P &p, const std::string &what) {
  if (g.error)
    die(what + ": " + g.error);
  launch(k, g.grid, g.block, size_t(g.smemBytes), p, what);
}

/// The recurrent or quadratic schedule with runLaunch's geometry: recurrent
/// from ssdc/decode_launch.h (ssmRecurrentLaunch); quadratic from
/// ssdc/ssd_staged_launch.h (ssmQuadraticLaunch).
template <typename T> SsdOut runSsm(const SsdInputs &in, bool quadratic) {
  Arena a;
  DevInputs<T> d(a, in);
  T *y = a.out<T>(in.ySize(), "y");
  float *fin = a.out<float>(in.stateSize(), "final state");
  SsmParams p = ssmParams(in, d, y, fin);
  if (quadratic) {
    launchTiled(ssmQuadraticG<T>,
                ssmQuadraticLaunch(p.batch, p.len, p.heads, p.headdim, p.dstate), p,
                "ssm quadratic");
  } else {
    DecodeLaunch g = ssmRecurrentLaunch(p.batch, p.heads, p.headdim, p.dstate);
    if (g.error)
      die(std::string("ssmRecurrentLaunch: ") + g.error);
    launch(ssmRecurrentG<T>, g.grid, g.block, g.smemBytes, p, "ssm recurrent");
  }
  return {Arena::fetch(y, in.ySize(), "y"), Arena::fetch(fin, in.stateSize(), "state")};
}

/// The chunked schedule as the plan runs it (see the file comment).
template <int Q, typename T> SsdOut runChunked(const SsdInputs &in) {
  const SsdCase &c = in.c;
  Arena a;
  DevInputs<T> d(a, in);
  const int64_t B = c.b, L = c.l, H = c.h, P = c.p, G = c.g, N = c.n;
  const int64_t chunks = (L + Q - 1) / Q;
  // ssd.chunk_cumsum dt A(A) dt_bias(bias) {dt_softplus, dt_limit}
  float *dtOut = a.out<float>(B * L * H, "processed dt");
  float *cum = a.out<float>(B * L * H, "cumsum");
  ChunkCumsumParams cp{d.dt, d.A, d.bias, dtOut, cum, B, L, H, c.softplus ? 1 : 0,
                       c.dtMin, c.dtMax};
  launchTiled(chunkCumsumG<Q, T>, chunkCumsumLaunch(Q, B, L, H), cp, "chunk_cumsum");
  // bf16 plans: ssd.cast dt' -> bf16, then the mul in bf16.
  const void *dtForMul = dtOut;
  if (!std::is_same<T, float>::value) {
    T *dtT = a.out<T>(B * L * H, "processed dt (cast)");
    UnaryParams up{dtOut, dtT, B * L * H, 0, 0};
    launch1d(castFromF32G<T>, up.n, up, "cast dt'");
    dtForMul = dtT;
  }
  // ssd.mul x [b,l,h,p], reshape(dt') [b,l,h,1] -> v [b,l,h,p]
  T *v = a.out<T>(in.ySize(), "v = x dt'");
  BinaryParams mp{};
  mp.a = d.x;
  mp.b = dtForMul;
  mp.y = v;
  mp.n = B * L * H * P;
  mp.rank = 4;
  std::vector<int64_t> os{B, L, H, P};
  std::vector<int64_t> sa = broadcastStrides(os, 4), sb = broadcastStrides({B, L, H, 1}, 4);
  for (int i = 0; i < 4; ++i) {
    mp.shape[i] = os[i];
    mp.aStride[i] = sa[i];
    mp.bStride[i] = sb[i];
  }
  launch1d(mulG<T>, mp.n, mp, "mul x dt'");
  // ssd.chunk_state k = B, v, cum -> states [b, c, h, p, n]
  float *states = a.out<float>(B * chunks * H * P * N, "chunk states");
  ChunkStateParams sp{d.B, v, cum, states, B, L, H, P, G, N};
  launchTiled(chunkStateG<Q, T>, chunkStateLaunch(Q, B, L, H, P, N), sp, "chunk_state");
  // ssd.state_pass states, cum (init) -> prev [b, c, h, p, n], final [b, h, p, n]
  float *prev = a.out<float>(B * chunks * H * P * N, "chunk-start states");
  float *fin = a.out<float>(in.stateSize(), "final state");
  StatePassParams pp{states, cum, d.init, prev, fin, B, L, H, P, N};
  launchTiled(statePassG<Q>, statePassLaunch(B, H, P, N), pp, "state_pass");
  // ssd.chunk_output q = C, k = B, v, cum, prev skip(x, D) -> y
  T *y = a.out<T>(in.ySize(), "y");
  ChunkOutputParams op{d.C, d.B, v, cum, prev, d.D ? d.x : nullptr, d.D, y,
                       B, L, H, P, G, N};
  launchTiled(chunkOutputG<Q, T>, chunkOutputLaunch(Q, B, L, H, P, N), op, "chunk_output");
  return {Arena::fetch(y, in.ySize(), "y"), Arena::fetch(fin, in.stateSize(), "state")};
}

constexpr int kChunkSizes[] = {1, 7, 10, 16, 32, 64, 128, 256, 512};

template <typename T> SsdOut runChunkedQ(const SsdInputs &in, int q) {
  switch (q) {
  case 1: return runChunked<1, T>(in);
  case 7: return runChunked<7, T>(in);
  case 10: return runChunked<10, T>(in);
  case 16: return runChunked<16, T>(in);
  case 32: return runChunked<32, T>(in);
  case 64: return runChunked<64, T>(in);
  case 128: return runChunked<128, T>(in);
  case 256: return runChunked<256, T>(in);
  case 512: return runChunked<512, T>(in);
  }
  die("no chunked instantiation for Q = " + std::to_string(q));
}

/// y and the final state: max|a − e| / max|e| over each tensor (issue 6's
/// measure) against `tol`; per (batch, head) as well (the CPU numerics tests'
/// measure), against `tol` for f32 kernels, printed for bf16 ones.
void compare(const std::string &kernel, const SsdInputs &in, const SsdOut &got,
             const SsdOut &ref, double tol, bool perHeadChecked) {
  const SsdCase &c = in.c;
  const size_t P = c.p, H = c.h, L = c.l, PN = size_t(c.p) * c.n;
  auto ySlice = [&](size_t i) { return int64_t(i / (L * H * P)) * int64_t(H) +
                                       int64_t((i / P) % H); };
  auto sSlice = [&](size_t i) { return int64_t(i / PN); };
  std::string shape = describe(c);
  report(kernel, shape, "y", relErr(got.y, ref.y), tol);
  report(kernel, shape, "final state", relErr(got.state, ref.state), tol);
  double hy = relErrSliced(got.y, ref.y, ySlice),
         hs = relErrSliced(got.state, ref.state, sSlice);
  if (perHeadChecked) {
    report(kernel, shape, "y per head", hy, tol);
    report(kernel, shape, "final state per head", hs, tol);
  } else {
    note(kernel, shape, "y per head", hy);
    note(kernel, shape, "final state per head", hs);
  }
}

template <typename T>
void compareT(const std::string &kernel, const SsdInputs &in, const SsdOut &got,
              const SsdOut &ref) {
  compare(kernel, in, got, ref, tolFor<T>(), std::is_same<T, float>::value);
}

/// Every schedule of one case in storage type T; chunked at `qs`.
template <typename T> void checkCase(const SsdCase &c, const std::vector<int> &qs) {
  if (!selected(c.name) || (options().quick && c.heavy))
    return;
  SsdInputs in = makeInputs<T>(c);
  SsdOut ref = reference(in);
  const std::string t = typeName<T>();
  compareT<T>("ssm recurrent " + t, in, runSsm<T>(in, false), ref);
  if (c.quadratic)
    compareT<T>("ssm quadratic " + t, in, runSsm<T>(in, true), ref);
  for (int q : qs)
    compareT<T>("chunked Q=" + std::to_string(q) + " " + t, in, runChunkedQ<T>(in, q), ref);
}

/// A prefill of l tokens (chunked, Q) followed by k one-token recurrent steps,
/// each step's state the previous one's final state (the decode entry), against
/// the reference over l + k tokens: every step's y and the last state.
template <typename T> void checkPrefillThenDecode(const SsdCase &full, int l, int q) {
  if (!selected(full.name))
    return;
  SsdInputs all = makeInputs<T>(full);
  SsdOut ref = reference(all);
  const SsdCase &c = full;
  const int k = c.l - l;
  auto slice = [&](const std::vector<float> &v, int t0, int t1, size_t per) {
    std::vector<float> out;
    for (int b = 0; b < c.b; ++b)
      out.insert(out.end(), v.begin() + (size_t(b) * c.l + t0) * per,
                 v.begin() + (size_t(b) * c.l + t1) * per);
    return out;
  };
  auto part = [&](int t0, int t1, const std::vector<float> &init) {
    SsdInputs s = all;
    s.c.l = t1 - t0;
    s.x = slice(all.x, t0, t1, size_t(c.h) * c.p);
    s.dt = slice(all.dt, t0, t1, size_t(c.h));
    s.B = slice(all.B, t0, t1, size_t(c.g) * c.n);
    s.C = slice(all.C, t0, t1, size_t(c.g) * c.n);
    s.init = init;
    s.c.init = !init.empty();
    return s;
  };
  SsdOut pre = runChunkedQ<T>(part(0, l, all.init), q);
  std::vector<double> ys(size_t(c.b) * c.l * c.h * c.p, NAN);
  const size_t row = size_t(c.h) * c.p;
  for (int b = 0; b < c.b; ++b)
    for (int t = 0; t < l; ++t)
      std::copy_n(pre.y.begin() + (size_t(b) * l + t) * row, row,
                  ys.begin() + (size_t(b) * c.l + t) * row);
  std::vector<double> state = pre.state;
  for (int t = l; t < c.l; ++t) {
    std::vector<float> init(state.begin(), state.end());
    SsdOut step = runSsm<T>(part(t, t + 1, init), false);
    for (int b = 0; b < c.b; ++b)
      std::copy_n(step.y.begin() + size_t(b) * row, row,
                  ys.begin() + (size_t(b) * c.l + t) * row);
    state = step.state;
  }
  SsdCase shown = c;
  shown.name = c.name + " prefill " + std::to_string(l) + " (chunked Q=" +
               std::to_string(q) + ") + " + std::to_string(k) + " decode steps";
  SsdInputs shownIn = all;
  shownIn.c = shown;
  compareT<T>(std::string("prefill+decode ") + typeName<T>(), shownIn, SsdOut{ys, state}, ref);
}

/// One decode step (L = 1, initial state) against ref::ssdStep.
template <typename T> void checkStep(const SsdCase &c) {
  if (!selected(c.name))
    return;
  SsdInputs in = makeInputs<T>(c);
  ssdc::ref::SsdShape s{c.b, 1, c.h, c.p, c.g, c.n};
  ssdc::ref::DtParams dtp{c.dtMin, c.dtMax, c.softplus};
  auto x = wide(in.x), dt = wide(in.dt), A = wide(in.A), B = wide(in.B), C = wide(in.C),
       D = wide(in.D), bias = wide(in.bias);
  SsdOut ref;
  ref.state = wide(in.init);
  ref.y.resize(in.ySize());
  ssdc::ref::ssdStep(s, dtp, x.data(), dt.data(), A.data(), B.data(), C.data(), ptr(D),
                     ptr(bias), ref.state.data(), ref.y.data());
  compareT<T>(std::string("ssm recurrent step ") + typeName<T>(), in, runSsm<T>(in, false), ref);
}

} // namespace

void runSsdChecks() {
  const std::vector<int> all(std::begin(kChunkSizes), std::end(kChunkSizes));
  // The cases of test/unit/numerics/ssd_test.cpp, chunked at their Q and at
  // the Q the CUDA cost model picks from (16 ... 256).
  std::vector<SsdCase> cases = {
      // name, b, l, h, p, g, n, Q, seed
      {"L1_G1", 1, 1, 2, 8, 1, 16, 64, 101},
      {"L1_G2_batch2", 2, 1, 4, 6, 2, 5, 16, 102},
      {"LltQ_G2_PneN", 1, 37, 4, 12, 2, 8, 64, 103},
      {"LeqQ_G1", 1, 64, 3, 16, 1, 32, 64, 104},
      {"LnotMultQ_G2", 2, 150, 4, 16, 2, 24, 64, 105},
      {"LnotMultQ_G4_odd", 1, 77, 8, 5, 4, 7, 10, 106},
      {"noInitState", 1, 50, 4, 8, 2, 8, 16, 107, false},
      {"dtLimits", 1, 90, 4, 8, 2, 16, 32, 108, true, true, 0.55f, 0.8f},
      {"noSoftplus", 1, 70, 4, 8, 1, 8, 32, 109, true, false},
      {"noD", 2, 45, 4, 8, 2, 8, 16, 115, true, true, -INFINITY, INFINITY, false},
      {"Q1", 1, 20, 2, 4, 1, 4, 1, 110},
      {"QgtL", 1, 40, 2, 4, 2, 4, 128, 111},
      {"mamba2Head_P64_N128_short", 1, 20, 2, 64, 1, 128, 16, 118},
  };
  // Tiled kernels (ssd_staged_launch.h): two partial head-dim and state
  // blocks (P 96, N 80), several row blocks and a partial last one.
  cases.push_back({"tiles_P96_N80", 2, 150, 4, 96, 2, 80, 64, 121});
  SsdCase head{"mamba2Head_P64_N128", 1, 300, 4, 64, 1, 128, 128, 114};
  head.heavy = true;
  cases.push_back(head);
  for (const SsdCase &c : cases) {
    std::vector<int> qs{c.q};
    for (int q : {16, 64, 128, 256})
      if (q != c.q)
        qs.push_back(q);
    checkCase<float>(c, qs);
    checkCase<bf16>(c, qs);
  }
  // Chunk sizes on one shape with several chunks and a partial last one.
  SsdCase sweep{"chunkSweep", 2, 300, 4, 8, 2, 16, 0, 120};
  checkCase<float>(sweep, all);
  checkCase<bf16>(sweep, all);
  // Long sequences: L = 4096 at every Q the cost model uses, 8 heads so the
  // decays of one call go from about -1e-4 to -50 per step.
  SsdCase l4096{"L4096_G2_h8", 1, 4096, 8, 8, 2, 16, 0, 112};
  l4096.heavy = true;
  checkCase<float>(l4096, {16, 64, 128, 256});
  checkCase<bf16>(l4096, {16, 64, 128, 256});
  // 24 heads: more of them in the moderate decays (dt·A of -0.05 ... -5 per
  // step) where a long within-chunk cumsum loses most to fp32 rounding.
  SsdCase l4096h24{"L4096_G3_h24", 1, 4096, 24, 8, 3, 16, 0, 119};
  l4096h24.heavy = true;
  l4096h24.quadratic = false;
  checkCase<float>(l4096h24, {16, 64, 128, 256, 512});
  SsdCase l4096g1{"L4096_G1_Q256", 1, 4096, 2, 16, 1, 8, 0, 113};
  l4096g1.heavy = true;
  checkCase<float>(l4096g1, {64, 256});
  // The mamba2-130m layer: h 24, p 64, g 1, n 128; 1000 tokens (a partial
  // last chunk at every Q).
  SsdCase m130{"mamba2-130m_L1000", 1, 1000, 24, 64, 1, 128, 0, 116};
  m130.heavy = true;
  checkCase<float>(m130, {64, 128, 256});
  checkCase<bf16>(m130, {128, 256});
  // The mamba2-130m layer at the longest short-prompt bucket length
  // (quadratic, 8 row blocks; chunked at the cost model's Q).
  SsdCase m130s{"mamba2-130m_L512", 1, 512, 24, 64, 1, 128, 0, 122};
  m130s.heavy = true;
  checkCase<float>(m130s, {64, 256});
  checkCase<bf16>(m130s, {64, 256});
  // The quadratic kernel above 48 KiB of shared memory (L = 5000: 60000 bytes).
  SsdCase big{"L5000_quadratic_smem", 1, 5000, 2, 4, 1, 4, 0, 117};
  big.heavy = true;
  checkCase<float>(big, {256});
  // Random shapes, chunked at a random instantiated Q.
  std::mt19937 shapes(options().seed + 140);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(shapes); };
  for (int i = 0; i < 40; ++i) {
    int g = pick(1, 3), h = g * pick(1, 3);
    SsdCase c{"random" + std::to_string(i), pick(1, 2), pick(1, 300), h, pick(1, 40), g,
              pick(1, 40), kChunkSizes[pick(0, 8)], 150u + unsigned(i)};
    c.init = pick(0, 3) != 0;
    if (options().quick && i >= 8)
      break;
    checkCase<float>(c, {c.q});
  }
  // Multi-token scans on the recurrent kernel's other layouts: two chunks
  // of 4 a lane (N 256), scalar chunks (N 50), the shared-memory path (N 260).
  checkCase<float>({"recurrent_N256", 2, 60, 4, 6, 2, 256, 16, 160}, {16});
  checkCase<bf16>({"recurrent_N50", 1, 70, 3, 9, 1, 50, 16, 161}, {16});
  checkCase<float>({"recurrent_N260_smem", 1, 40, 2, 5, 1, 260, 16, 162}, {16});
  // Decode: one step with an initial state, and prefill + decode steps.
  checkStep<float>({"step", 3, 1, 6, 10, 3, 12, 1, 201});
  checkStep<bf16>({"step", 3, 1, 6, 10, 3, 12, 1, 201});
  checkStep<float>({"step_mamba2-130m_b4", 4, 1, 24, 64, 1, 128, 1, 202});
  checkStep<bf16>({"step_mamba2-130m_b4", 4, 1, 24, 64, 1, 128, 1, 202});
  // The mamba2-2.7b decode step (h 80, p 64, n 128) at b 1 and 16; state
  // sizes of the register path's other layouts (N 64: 16 lanes a row; N 256:
  // two chunks of 4 a lane; N 100: 25 of 32 lanes; N 7, 50, 202: scalar
  // chunks, 1, 2 and 8 a lane) and of the shared-memory path (N 260 > 256).
  checkStep<float>({"step_mamba2-2.7b_b1", 1, 1, 80, 64, 1, 128, 1, 206});
  checkStep<bf16>({"step_mamba2-2.7b_b16", 16, 1, 80, 64, 1, 128, 1, 207});
  checkStep<float>({"step_N64", 2, 1, 4, 33, 2, 64, 1, 208});
  checkStep<float>({"step_N256", 2, 1, 4, 10, 1, 256, 1, 209});
  checkStep<float>({"step_N7", 2, 1, 4, 9, 2, 7, 1, 210});
  checkStep<float>({"step_N100", 1, 1, 2, 5, 1, 100, 1, 213});
  checkStep<float>({"step_N50", 3, 1, 3, 7, 3, 50, 1, 214});
  checkStep<float>({"step_N202", 1, 1, 2, 5, 1, 202, 1, 211});
  checkStep<float>({"step_N260_smem", 1, 1, 2, 6, 1, 260, 1, 212});
  SsdCase decode{"decode", 2, 97 + 6, 4, 16, 2, 24, 0, 203};
  decode.init = false;  // as a plan's prefill
  checkPrefillThenDecode<float>(decode, 97, 32);
  checkPrefillThenDecode<bf16>(decode, 97, 32);
  checkPrefillThenDecode<float>({"decode_init", 1, 40 + 8, 4, 8, 1, 16, 0, 204}, 40, 16);
  if (!options().quick)
    checkPrefillThenDecode<float>({"decode_long", 1, 600 + 200, 4, 8, 2, 16, 0, 205}, 600,
                                  128);
}

} // namespace kcheck
