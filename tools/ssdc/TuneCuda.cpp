//===- TuneCuda.cpp - `ssdc tune --device cuda` ---------------------------===//
//
// The CUDA tuner. For every SSD shape and prefill length bucket of an
// artifact's plan it builds the candidate variants:
//   recurrent, quadratic        (ssm_recurrent.cuh, ssm_quadratic.cuh)
//   chunked-Q staged            (the four chunk kernels plus the dt cast and
//                                the x·dt mul, as a CUDA plan runs them)
//   chunked-Q fused             (ssd_fused.cuh, where ssdc/ssd_fused_launch.h
//                                accepts the shape)
// each at the launch geometries the templates leave open (threads per block
// of the recurrent, quadratic and four-stage kernels; head-dim columns per
// CTA of the fused kernel). The kernel instances come from the CUDA emitter
// (codegen/cuda/CudaEmitter.cpp: the device templates inlined, one extern "C"
// kernel per instance, named as ssdc/cuda_kernels.h names them) and are
// compiled once with NVRTC for this GPU (sm_90a on an H100: the wgmma path;
// cached). A variant that cannot run (threads, registers or shared memory
// over the limits cuFuncGetAttribute / the occupancy calculator give) is
// pruned; the others run first on fresh random inputs with NaN-poisoned
// outputs and scratch and are compared with the float64 reference (over the
// tolerance: discarded, never timed), then timed with CUDA events (median of
// --repeats after a warm-up). Every timing goes into the entry's "variants";
// "times_us" holds, per schedule, the time at the geometry CudaExecutor
// launches (what a compiled artifact will run), in the chunked form given by
// --chunked-form, so that `ssdc compile --tuning-db` chooses by what runs.
//
//===----------------------------------------------------------------------===//

#include "tools/ssdc/TuneCuda.h"

#include "codegen/cuda/CudaEmitter.h"
#include "runtime/core/Error.h"
#include "runtime/cuda/Nvrtc.h"

#include "ssdc/cuda_kernels.h"
#include "ssdc/cuda_params.h"
#include "ssdc/reference.h"
#include "ssdc/ssd_fused_launch.h"
// The launch geometry headers of the rewritten kernels: the executor takes
// grid, block and shared memory from them, so the tuner does too. Without
// them (older templates), the executor's former geometry below.
#if __has_include("ssdc/ssd_staged_launch.h")
#include "ssdc/ssd_staged_launch.h"
#define SSDC_TUNE_STAGED_LAUNCH 1
#endif
#if __has_include("ssdc/decode_launch.h")
#include "ssdc/decode_launch.h"
#define SSDC_TUNE_DECODE_LAUNCH 1
#endif

#include <cuda.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ssdc::driver::tune {
namespace {

using rt::RuntimeError;
namespace cu = ssdc::cuda;
using Clock = std::chrono::steady_clock;

/// Check length cap: several chunks at every Q and a partial last one.
constexpr int64_t kCheckLength = 300;
/// The executor's threads per block of its 1-D launches (launch1d).
constexpr int kExecutorBlock = 256;

void check(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    throw RuntimeError("CUDA error in " + what + ": " + cudaGetErrorName(e) + " (" +
                       cudaGetErrorString(e) + ")");
}

// ---- storage types ----------------------------------------------------------

size_t elemBytes(const std::string &dt) { return dt == "f32" ? 4 : 2; }

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t toBf16(float f) {
  uint32_t u = bitsOf(f);
  if (std::isnan(f))
    return 0x7fc0;
  u += 0x7fff + ((u >> 16) & 1);  // round to nearest even
  return uint16_t(u >> 16);
}
float fromBf16(uint16_t h) { return floatOf(uint32_t(h) << 16); }
uint16_t toF16(float f) {
  uint32_t u = bitsOf(f), sign = (u >> 16) & 0x8000;
  if (std::isnan(f))
    return 0x7e00;
  float a = std::fabs(f);
  if (a >= 65520.0f)
    return uint16_t(sign | 0x7c00);
  if (a < 6.103515625e-05f) {  // subnormal: a multiple of 2^-24
    return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t v = bitsOf(a);
  uint32_t mant = v & 0x7fffff, exp = (v >> 23) - 127 + 15;
  uint32_t h = (exp << 10) | (mant >> 13), rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    ++h;
  return uint16_t(sign | h);
}
float fromF16(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0)
    return (sign ? -1.0f : 1.0f) * float(mant) / 16777216.0f;
  if (exp == 31)
    return floatOf(sign | 0x7f800000 | (mant << 13));
  return floatOf(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}
float roundTo(float v, const std::string &dt) {
  if (dt == "bf16")
    return fromBf16(toBf16(v));
  if (dt == "f16")
    return fromF16(toF16(v));
  return v;
}
std::vector<unsigned char> pack(const std::vector<float> &v, const std::string &dt) {
  std::vector<unsigned char> out(v.size() * elemBytes(dt));
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == "f32") {
      std::memcpy(&out[i * 4], &v[i], 4);
    } else {
      uint16_t h = dt == "bf16" ? toBf16(v[i]) : toF16(v[i]);
      std::memcpy(&out[i * 2], &h, 2);
    }
  }
  return out;
}
std::vector<float> unpack(const std::vector<unsigned char> &b, const std::string &dt) {
  size_t n = b.size() / elemBytes(dt);
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    if (dt == "f32") {
      std::memcpy(&out[i], &b[i * 4], 4);
    } else {
      uint16_t h;
      std::memcpy(&h, &b[i * 2], 2);
      out[i] = dt == "bf16" ? fromBf16(h) : fromF16(h);
    }
  }
  return out;
}

// ---- variants and the kernel instances they need ------------------------------

enum class Kind { Recurrent, Quadratic, Staged, Fused };

struct Variant {
  Kind kind = Kind::Recurrent;
  int q = 0;       ///< chunk size (staged, fused)
  int block = 0;   ///< threads per block (recurrent, quadratic, staged); 0: the executor's
  int pBlock = 0;  ///< fused: head-dim columns per CTA (0: the launch header's default)

  /// The tuning-db spelling of its schedule.
  std::string schedule() const {
    if (kind == Kind::Recurrent)
      return "recurrent";
    if (kind == Kind::Quadratic)
      return "quadratic";
    return "chunked-" + std::to_string(q);
  }
  std::string form() const {
    return kind == Kind::Staged ? "staged" : kind == Kind::Fused ? "fused" : "";
  }
  /// Whether CudaExecutor launches this geometry (times_us takes only those).
  bool executorDefault() const { return kind == Kind::Fused ? pBlock == 0 : block == 0; }
  /// Threads per block of the main kernel(s), or for fused the head-dim block.
  int launchValue(int p, int n) const;
  std::string launchText(int p, int n) const {
    return (kind == Kind::Fused ? "p_block=" : "block=") + std::to_string(launchValue(p, n));
  }
  std::string name(int p, int n) const {
    std::string f = form();
    return schedule() + (f.empty() ? "" : " " + f) + " " + launchText(p, n);
  }
};

/// The executor's threads per block for `k` at head dim p, state size n.
int executorBlock(Kind k, int p, int n) {
  if (k == Kind::Recurrent) {
#ifdef SSDC_TUNE_DECODE_LAUNCH
    return int(cu::ssmRecurrentLaunch(1, 1, p, n).block);
#else
    (void)p, (void)n;
    return 256;
#endif
  }
#ifdef SSDC_TUNE_STAGED_LAUNCH
  return cu::kSsdTileThreads;
#else
  return 256;
#endif
}

int Variant::launchValue(int p, int n) const {
  if (kind == Kind::Fused)
    return pBlock ? pBlock : std::min(p, 64);
  return block ? block : executorBlock(kind, p, n);
}

/// One kernel instance as a plan launch would name it: op, attributes and
/// operand dtypes (cuda::kernelFor gives the name and the template call).
struct Use {
  std::string op;
  nlohmann::json attrs;
  std::vector<std::string> ins, outs;
  std::string kernel() const {
    std::optional<cu::KernelInstance> k = cu::kernelFor(op, attrs, ins, outs);
    if (!k)
      throw RuntimeError("no CUDA kernel instance for " + op + " with dtypes " +
                         cu::dtypeSignature(ins, outs));
    return k->name;
  }
};

nlohmann::json ssmAttrs(const std::string &kind, int q, int p, int n) {
  nlohmann::json a = {{"schedule", {{"kind", kind}}}, {"dt_softplus", true}};
  if (kind == "chunked") {
    a["schedule"]["chunk_size"] = q;
    a["headdim"] = p;
    a["dstate"] = n;
  }
  return a;
}

Use ssmUse(const std::string &dt, const std::string &kind, int q = 0, int p = 0, int n = 0) {
  return {"ssd.ssm", ssmAttrs(kind, q, p, n), {dt, dt, "f32", dt, dt}, {dt, "f32"}};
}

/// The staged form's six launches at chunk size q, in order.
std::vector<Use> stagedUses(const std::string &dt, int q) {
  nlohmann::json c = {{"chunk_size", q}};
  std::vector<Use> u;
  u.push_back({"ssd.chunk_cumsum",
               {{"chunk_size", q}, {"dt_softplus", true}, {"operand_segments", {1, 1, 1}}},
               {dt, "f32", "f32"},
               {"f32", "f32"}});
  if (dt != "f32")
    u.push_back({"ssd.cast", nlohmann::json::object(), {"f32"}, {dt}});
  u.push_back({"ssd.mul", nlohmann::json::object(), {dt, dt}, {dt}});
  u.push_back({"ssd.chunk_state", c, {dt, dt, "f32"}, {"f32"}});
  u.push_back({"ssd.state_pass", {{"chunk_size", q}, {"strategy", "#ssd.state_pass<sequential>"}},
               {"f32", "f32"},
               {"f32", "f32"}});
  u.push_back({"ssd.chunk_output",
               {{"chunk_size", q}, {"operand_segments", {1, 1, 1, 1, 1, 1, 1}}},
               {dt, dt, dt, "f32", "f32", dt, "f32"},
               {dt}});
  return u;
}

std::vector<Use> usesOf(const Variant &v, const std::string &dt, int p, int n) {
  switch (v.kind) {
  case Kind::Recurrent:
    return {ssmUse(dt, "recurrent")};
  case Kind::Quadratic:
    return {ssmUse(dt, "quadratic")};
  case Kind::Staged:
    return stagedUses(dt, v.q);
  case Kind::Fused:
    return {ssmUse(dt, "chunked", v.q, p, n)};
  }
  return {};
}

/// The variants' source: a one-entry plan with one launch per distinct
/// instance, through the CUDA emitter (templates inlined; compiles alone).
std::string variantSource(const std::vector<Use> &uses, std::vector<std::string> *kernels) {
  nlohmann::json buffers = nlohmann::json::array(), launches = nlohmann::json::array();
  std::set<std::string> seen;
  int64_t id = 0;
  auto buffer = [&](const std::string &dt) {
    buffers.push_back({{"id", id}, {"kind", "activation"}, {"dtype", dt},
                       {"shape", nlohmann::json::array()}});
    return id++;
  };
  for (const Use &u : uses) {
    if (!seen.insert(u.kernel()).second)
      continue;
    nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array();
    for (const std::string &d : u.ins)
      ins.push_back(buffer(d));
    for (const std::string &d : u.outs)
      outs.push_back(buffer(d));
    launches.push_back({{"op", u.op}, {"attrs", u.attrs}, {"inputs", ins}, {"outputs", outs},
                        {"kernel", u.kernel()}});
  }
  nlohmann::json plan = {
      {"entries", {{{"name", "tune"}, {"buffers", buffers}, {"launches", launches}}}}};
  cu::EmittedKernels k = cu::emitKernels(plan.dump());
  if (!k.unsupported.empty())
    throw RuntimeError("the CUDA emitter has no kernel for " + k.unsupported.front());
  if (kernels)
    *kernels = k.kernels;
  // The emitter's source as is (an artifact's kernels.cu is the same kind of
  // file); runtime/cuda/Nvrtc.cpp's options and header stand-ins make it
  // NVRTC-compilable.
  std::string src = k.source;
  return "// ssdc tune --device cuda: the candidate variants' kernel instances\n" + src;
}

// ---- device memory and one problem ---------------------------------------------

struct DevMem {
  void *p = nullptr;
  size_t bytes = 0;
  DevMem() = default;
  DevMem(const DevMem &) = delete;
  DevMem &operator=(const DevMem &) = delete;
  void alloc(size_t n, const std::string &what) {
    bytes = std::max<size_t>(n, 16);
    check(cudaMalloc(&p, bytes), "cudaMalloc(" + std::to_string(bytes) + " bytes for " + what +
                                     ")");
  }
  ~DevMem() {
    if (p)
      cudaFree(p);
  }
};

/// One SSD call: inputs representable in the storage type, on the host (for
/// the reference) and the device; outputs and every scratch buffer on the
/// device, NaN-poisoned before each checked run.
struct Problem {
  int64_t b, l;
  SsdShapeKey k;
  std::string dt;
  std::vector<float> x, dts, A, B, C, D, bias;
  DevMem dx, ddt, dA, dB, dC, dD, dbias, dy, dfin;
  DevMem dtOut, cum, dtCast, v, states, prev;  // the staged form's intermediates

  Problem(int64_t b_, int64_t l_, const SsdShapeKey &k_, const std::string &dt_, int minQ,
          std::mt19937 &rng)
      : b(b_), l(l_), k(k_), dt(dt_) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::uniform_real_distribution<float> ud(0.0f, 1.0f);
    auto fill = [&](std::vector<float> &v, size_t count, float scale, bool store) {
      v.resize(count);
      for (float &e : v)
        e = store ? roundTo(scale * nd(rng), dt) : scale * nd(rng);
    };
    size_t L = size_t(b) * l;
    // As the CPU tuner (TuneCommand.cpp), rounded to the storage type.
    fill(x, L * k.h * k.p, 1.0f, true);
    fill(dts, L * k.h, 1.0f, true);
    fill(B, L * k.g * k.n, 1.0f / std::sqrt(float(k.n)), true);
    fill(C, L * k.g * k.n, 1.0f / std::sqrt(float(k.n)), true);
    fill(D, k.h, 1.0f, false);
    fill(bias, k.h, 0.5f, false);
    A.resize(k.h);
    for (float &a : A)  // -exp(A_log) with A_log in [0, log 16], as Mamba-2's init
      a = -std::exp(ud(rng) * std::log(16.0f));
    auto up = [&](DevMem &m, const std::vector<float> &h, const std::string &d,
                  const char *what) {
      std::vector<unsigned char> bytes = pack(h, d);
      m.alloc(bytes.size(), what);
      check(cudaMemcpy(m.p, bytes.data(), bytes.size(), cudaMemcpyHostToDevice),
            std::string("copying ") + what + " to the GPU");
    };
    up(dx, x, dt, "x");
    up(ddt, dts, dt, "dt");
    up(dB, B, dt, "B");
    up(dC, C, dt, "C");
    up(dA, A, "f32", "A");
    up(dD, D, "f32", "D");
    up(dbias, bias, "f32", "dt_bias");
    size_t eb = elemBytes(dt), y = L * k.h * k.p, st = size_t(b) * k.h * k.p * k.n;
    size_t chunks = size_t((l + minQ - 1) / minQ);
    dy.alloc(y * eb, "y");
    dfin.alloc(st * 4, "the final state");
    dtOut.alloc(L * k.h * 4, "processed dt");
    cum.alloc(L * k.h * 4, "the cumsum");
    dtCast.alloc(L * k.h * eb, "processed dt (cast)");
    v.alloc(y * eb, "v = x dt");
    states.alloc(size_t(b) * chunks * k.h * k.p * k.n * 4, "the chunk states");
    prev.alloc(size_t(b) * chunks * k.h * k.p * k.n * 4, "the chunk-start states");
  }

  /// NaN everywhere a variant writes (0xff.. is NaN in f32, bf16 and f16).
  void poison() {
    for (DevMem *m : {&dy, &dfin, &dtOut, &cum, &dtCast, &v, &states, &prev})
      check(cudaMemset(m->p, 0xff, m->bytes), "poisoning the outputs");
  }

  std::vector<float> fetch(const DevMem &m, size_t count, const std::string &d) const {
    std::vector<unsigned char> bytes(count * elemBytes(d));
    check(cudaMemcpy(bytes.data(), m.p, bytes.size(), cudaMemcpyDeviceToHost),
          "copying an output back");
    return unpack(bytes, d);
  }
  std::vector<float> y() const { return fetch(dy, size_t(b) * l * k.h * k.p, dt); }
  std::vector<float> fin() const { return fetch(dfin, size_t(b) * k.h * k.p * k.n, "f32"); }

  cu::SsmParams ssm() const {
    cu::SsmParams p{};
    p.x = dx.p;
    p.dt = ddt.p;
    p.A = static_cast<const float *>(dA.p);
    p.B = dB.p;
    p.C = dC.p;
    p.D = static_cast<const float *>(dD.p);
    p.dtBias = static_cast<const float *>(dbias.p);
    p.initState = nullptr;
    p.y = dy.p;
    p.finalState = static_cast<float *>(dfin.p);
    p.batch = b;
    p.len = l;
    p.heads = k.h;
    p.headdim = k.p;
    p.groups = k.g;
    p.dstate = k.n;
    p.dtSoftplus = 1;
    p.dtMin = 0.0f;  // ref::DtParams{}: softplus, limit [0, inf)
    p.dtMax = std::numeric_limits<float>::infinity();
    return p;
  }
};

// ---- launches -------------------------------------------------------------------

/// One kernel launch of a variant: its parameter struct by value.
struct KLaunch {
  std::string kernel;
  unsigned grid = 0, block = 0;
  size_t smem = 0;
  std::vector<unsigned char> params;
};

template <typename P>
KLaunch klaunch(const std::string &kernel, unsigned grid, unsigned block, size_t smem,
                const P &p) {
  KLaunch k{kernel, grid, block, smem, {}};
  k.params.resize(sizeof(P));
  std::memcpy(k.params.data(), &p, sizeof(P));
  return k;
}

/// `f(a...)`, or `f` of all but the last argument where it takes one fewer
/// (the launch headers are being extended: e.g. chunkOutputLaunch gained the
/// state size).
template <typename F, typename T, size_t... I>
auto applyFirst(F f, const T &t, std::index_sequence<I...>) {
  return f(std::get<I>(t)...);
}
template <typename F, typename... A> auto launchOf(F f, A... a) {
  if constexpr (std::is_invocable_v<F, A...>)
    return f(a...);
  else
    return applyFirst(f, std::make_tuple(a...), std::make_index_sequence<sizeof...(A) - 1>{});
}

/// launch1d of CudaExecutor.cpp at `block` threads.
unsigned grid1d(int64_t work, int block) {
  return unsigned(std::min<int64_t>((work + block - 1) / block, 65535));
}

/// The launches of `v` on `pr`; `why` gets a reason when the launch header
/// refuses the shape (then the list is empty).
std::vector<KLaunch> launchesOf(const Variant &v, Problem &pr, std::string *why) {
  const int64_t B = pr.b, L = pr.l, H = pr.k.h, P = pr.k.p, G = pr.k.g, N = pr.k.n;
  std::vector<Use> uses = usesOf(v, pr.dt, int(P), int(N));
  std::vector<KLaunch> out;
  cu::SsmParams sp = pr.ssm();
  const int bl = v.launchValue(int(P), int(N));
  switch (v.kind) {
  case Kind::Recurrent: {
#ifdef SSDC_TUNE_DECODE_LAUNCH
    cu::DecodeLaunch g = cu::ssmRecurrentLaunch(B, H, P, N);
    if (g.error) {
      *why = g.error;
      return out;
    }
    out.push_back(klaunch(uses[0].kernel(), g.grid, unsigned(bl), g.smemBytes, sp));
#else  // ssm_recurrent.cuh's shared memory, as the executor sized it
    out.push_back(klaunch(uses[0].kernel(), unsigned(B * H), unsigned(bl),
                          size_t(P * (N + 1) + 2 * N) * sizeof(float), sp));
#endif
    return out;
  }
  case Kind::Quadratic: {
#ifdef SSDC_TUNE_STAGED_LAUNCH
    cu::SsdTileLaunch g = launchOf(cu::ssmQuadraticLaunch, B, L, H, P, N);
    if (g.error) {
      *why = g.error;
      return out;
    }
    out.push_back(klaunch(uses[0].kernel(), g.grid, unsigned(bl), size_t(g.smemBytes), sp));
#else
    out.push_back(klaunch(uses[0].kernel(), unsigned(B * H), unsigned(bl),
                          size_t(L) * (sizeof(double) + sizeof(float)), sp));
#endif
    return out;
  }
  case Kind::Fused: {
    cu::FusedSsdLaunch g = cu::fusedSsdLaunch(v.q, int(P), int(N), B, H, L, pr.dt == "bf16",
                                              v.pBlock);
    if (g.error) {
      *why = g.error;
      return out;
    }
    out.push_back(klaunch(uses[0].kernel(), g.grid, g.block, g.smemBytes, sp));
    return out;
  }
  case Kind::Staged:
    break;
  }
  // The staged form as the plan runs it (test/gpu/kernels/ssd_check.cu: runChunked):
  // the four chunk kernels at the geometry of ssdc/ssd_staged_launch.h with
  // `bl` threads per block; the dt cast and the x·dt mul as launch1d.
  const int Q = v.q;
  const int64_t chunks = (L + Q - 1) / Q;
#ifdef SSDC_TUNE_STAGED_LAUNCH
  cu::SsdTileLaunch gCum = launchOf(cu::chunkCumsumLaunch, int64_t(Q), B, L, H),
                    gState = launchOf(cu::chunkStateLaunch, int64_t(Q), B, L, H, P, N),
                    gPass = launchOf(cu::statePassLaunch, B, H, P, N),
                    gOut = launchOf(cu::chunkOutputLaunch, int64_t(Q), B, L, H, P, N);
  for (const cu::SsdTileLaunch *g : {&gCum, &gState, &gPass, &gOut})
    if (g->error) {
      *why = g->error;
      return out;
    }
  auto geom = [&](const cu::SsdTileLaunch &g, int64_t) {
    return std::make_pair(g.grid, size_t(g.smemBytes));
  };
#else
  struct OneD {} gCum, gState, gPass, gOut;  // the executor's former 1-D launches
  auto geom = [&](OneD, int64_t work) { return std::make_pair(grid1d(work, bl), size_t(0)); };
#endif
  size_t at = 0;
  auto put = [&](const auto &g, int64_t work, const auto &params) {
    std::pair<unsigned, size_t> gs = geom(g, work);
    out.push_back(klaunch(uses[at++].kernel(), gs.first, unsigned(bl), gs.second, params));
  };
  float *dtOut = static_cast<float *>(pr.dtOut.p), *cum = static_cast<float *>(pr.cum.p);
  cu::ChunkCumsumParams cp{pr.ddt.p, sp.A, sp.dtBias, dtOut, cum, B, L, H, 1, sp.dtMin,
                           sp.dtMax};
  put(gCum, B * chunks * H, cp);
  const void *dtForMul = dtOut;
  if (pr.dt != "f32") {
    cu::UnaryParams up{dtOut, pr.dtCast.p, B * L * H, 0, 0};
    out.push_back(klaunch(uses[at++].kernel(), grid1d(up.n, kExecutorBlock), kExecutorBlock, 0, up));
    dtForMul = pr.dtCast.p;
  }
  cu::BinaryParams mp{};
  mp.a = pr.dx.p;
  mp.b = dtForMul;
  mp.y = pr.v.p;
  mp.n = B * L * H * P;
  mp.rank = 4;
  const int64_t shape[4] = {B, L, H, P}, bshape[4] = {B, L, H, 1};
  int64_t sa = 1, sb = 1;
  for (int i = 3; i >= 0; --i) {  // NumPy broadcasting strides per output dim
    mp.shape[i] = shape[i];
    mp.aStride[i] = shape[i] == 1 ? 0 : sa;
    mp.bStride[i] = bshape[i] == 1 ? 0 : sb;
    sa *= shape[i];
    sb *= bshape[i];
  }
  out.push_back(klaunch(uses[at++].kernel(), grid1d(mp.n, kExecutorBlock), kExecutorBlock, 0, mp));
  float *states = static_cast<float *>(pr.states.p), *prev = static_cast<float *>(pr.prev.p);
  cu::ChunkStateParams cs{pr.dB.p, pr.v.p, cum, states, B, L, H, P, G, N};
  put(gState, B * chunks * H * P * N, cs);
  cu::StatePassParams pp{states, cum, nullptr, prev, sp.finalState, B, L, H, P, N};
  put(gPass, B * H * P * N, pp);
  cu::ChunkOutputParams op{pr.dC.p, pr.dB.p, pr.v.p, cum, prev, pr.dx.p, sp.D, pr.dy.p,
                           B, L, H, P, G, N};
  put(gOut, B * L * H * P, op);
  return out;
}

struct Gpu {
  std::string name, target, cc;
  int smCount = 0;
  size_t maxSmemOptin = 0;
};

/// The compiled variants and what each kernel needs.
struct Module {
  CUmodule m = nullptr;
  std::map<std::string, CUfunction> fns;
  CUfunction get(const std::string &name) {
    auto it = fns.find(name);
    if (it != fns.end())
      return it->second;
    CUfunction f = nullptr;
    rt::checkDriver(rt::driverCalls().cuModuleGetFunction(&f, m, name.c_str()),
                    "cuModuleGetFunction('" + name + "')");
    return fns[name] = f;
  }
  int attr(CUfunction f, CUfunction_attribute a, const std::string &what) {
    int v = 0;
    rt::checkDriver(rt::driverCalls().cuFuncGetAttribute(&v, a, f), what);
    return v;
  }
};

/// Why `ls` cannot run on this GPU ("" when it can); `info` gets the
/// registers and blocks per SM of its heaviest kernel.
std::string fits(Module &mod, const Gpu &gpu, const std::vector<KLaunch> &ls,
                 nlohmann::json *info) {
  int minBlocks = std::numeric_limits<int>::max(), maxRegs = 0;
  for (const KLaunch &k : ls) {
    CUfunction f = mod.get(k.kernel);
    int maxThreads = mod.attr(f, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, "threads of " + k.kernel);
    int regs = mod.attr(f, CU_FUNC_ATTRIBUTE_NUM_REGS, "registers of " + k.kernel);
    int shared = mod.attr(f, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, "shared memory of " + k.kernel);
    maxRegs = std::max(maxRegs, regs);
    if (int(k.block) > maxThreads)
      return k.kernel + ": " + std::to_string(k.block) + " threads per block, its limit is " +
             std::to_string(maxThreads) + " (" + std::to_string(regs) + " registers per thread)";
    if (shared + k.smem > gpu.maxSmemOptin)
      return k.kernel + ": " + std::to_string(shared + k.smem) +
             " bytes of shared memory per block, the GPU allows " +
             std::to_string(gpu.maxSmemOptin);
    if (k.smem > 48 * 1024)
      rt::checkDriver(rt::driverCalls().cuFuncSetAttribute(
                          f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, int(k.smem)),
                      "allowing " + std::to_string(k.smem) + " bytes of shared memory to " +
                          k.kernel);
    int blocks = 0;
    rt::checkDriver(rt::driverCalls().cuOccupancyMaxActiveBlocksPerMultiprocessor(
                        &blocks, f, int(k.block), k.smem),
                    "the occupancy of " + k.kernel);
    if (blocks == 0)
      return k.kernel + ": no block of " + std::to_string(k.block) + " threads (" +
             std::to_string(regs) + " registers each) and " + std::to_string(k.smem) +
             " bytes of shared memory fits on an SM";
    minBlocks = std::min(minBlocks, blocks);
  }
  if (info)
    *info = {{"registers", maxRegs}, {"blocks_per_sm", minBlocks}};
  return "";
}

void run(Module &mod, std::vector<KLaunch> &ls, const std::string &what) {
  for (KLaunch &k : ls) {
    if (k.grid == 0)
      continue;
    void *args[] = {k.params.data()};
    rt::checkDriver(rt::driverCalls().cuLaunchKernel(mod.get(k.kernel), k.grid, 1, 1, k.block, 1,
                                                     1, unsigned(k.smem), nullptr, args, nullptr),
                    "launching " + k.kernel + " for " + what);
  }
}

struct Events {
  cudaEvent_t a = nullptr, b = nullptr;
  Events() {
    check(cudaEventCreate(&a), "cudaEventCreate");
    check(cudaEventCreate(&b), "cudaEventCreate");
  }
  ~Events() {
    cudaEventDestroy(a);
    cudaEventDestroy(b);
  }
  /// Milliseconds of one run of `ls` (CUDA events around it).
  float time(Module &mod, std::vector<KLaunch> &ls, const std::string &what) {
    check(cudaEventRecord(a, nullptr), "cudaEventRecord");
    run(mod, ls, what);
    check(cudaEventRecord(b, nullptr), "cudaEventRecord");
    check(cudaEventSynchronize(b), "running " + what);
    float ms = 0;
    check(cudaEventElapsedTime(&ms, a, b), "cudaEventElapsedTime");
    return ms;
  }
};

/// max relative error of y and the final state vs float64 on `p`'s inputs.
double referenceError(const std::vector<float> &y, const std::vector<float> &fin,
                      const std::vector<double> &ry, const std::vector<double> &rfin) {
  return std::max(relError(y, ry), relError(fin, rfin));
}

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

Gpu openGpu() {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0)
    throw RuntimeError(std::string("--device cuda: no CUDA GPU is visible (cudaGetDeviceCount: ") +
                       (e != cudaSuccess ? cudaGetErrorName(e) : "0 devices") +
                       "); run ssdc tune on the GPU machine, or give --emit-source FILE to "
                       "only write and compile the variants");
  int dev = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, dev), "cudaGetDeviceProperties");
  Gpu g;
  g.name = prop.name;
  g.cc = std::to_string(prop.major) + "." + std::to_string(prop.minor);
  g.target = "cuda-sm" + std::to_string(prop.major * 10 + prop.minor);
  g.smCount = prop.multiProcessorCount;
  g.maxSmemOptin = prop.sharedMemPerBlockOptin;
  return g;
}

} // namespace

int tuneCuda(Args &a, const TuneOptions &o) {
  std::string form = a.values.count("--chunked-form") ? a.values["--chunked-form"] : "";
  if (!form.empty() && form != "staged" && form != "fused")
    throw UsageError("--chunked-form must be staged or fused, got '" + form + "'");
  // Default: every chunk size; the launch header keeps those the kernel
  // takes (as the compiler's fusedKernelRuns does).
  std::vector<int64_t> fusedQs = a.values.count("--fused-chunk-sizes")
                                     ? intList("--fused-chunk-sizes", a.values["--fused-chunk-sizes"], 1024)
                                     : o.chunks;
  std::vector<int64_t> blocks = a.values.count("--block-sizes")
                                    ? intList("--block-sizes", a.values["--block-sizes"], 1024)
                                    : std::vector<int64_t>{128, 256};
  double maxVariantMs = a.values.count("--max-variant-ms")
                            ? toDouble("--max-variant-ms", a.values["--max-variant-ms"], 1, 1e7)
                            : 3000.0;
  std::string emit = a.values.count("--emit-source") ? a.values["--emit-source"] : "";
  if (a.values.count("--arch") && emit.empty())
    throw UsageError("--arch goes with --emit-source");

  // Without --emit-source the GPU comes first: no GPU, nothing else matters.
  std::optional<Gpu> gpuFound;
  if (emit.empty())
    gpuFound = openGpu();
  rt::Artifact art = rt::loadArtifact(o.artifact, "cuda");
  std::string dt = art.dtype;
  std::vector<Group> groups = planGroups(art, o.lengths, &dt);
  if (dt != "f32" && dt != "bf16" && dt != "f16")
    throw RuntimeError(o.artifact + ": its SSD runs in " + dt + ", not f32, bf16 or f16");
  const double tol = dt == "f32" ? 1e-4 : 1e-2;  // the kernel check's bf16 bound (check.h)
  if (form.empty()) {
    // The form the artifact was compiled with: a chunked SSD kept whole as
    // one ssd.ssm launch is fused, the four chunk stages are staged; with no
    // chunked bucket, ssdc compile's default (fused).
    bool staged = false, fused = false;
    for (const rt::Entry &e : art.plan.entries)
      for (const rt::Launch &l : e.launches) {
        staged |= l.op == "ssd.chunk_output";
        fused |= l.op == "ssd.ssm" && l.attrs.contains("schedule") &&
                 l.attrs["schedule"].value("kind", std::string()) == "chunked";
      }
    form = staged && !fused ? "staged" : "fused";
  }
  // The compiler keeps a chunked SSD whole only for bf16 or f32 operands.
  if (dt == "f16")
    fusedQs.clear();

  // Every group's candidates, in the order they run: fused first (fast
  // ones first make the best-so-far pruning effective), then staged from
  // the largest chunk, then recurrent and quadratic.
  auto candidates = [&](const Group &grp, std::map<std::string, std::string> *notApplicable) {
    int64_t maxL = *std::max_element(grp.ls.begin(), grp.ls.end());
    std::vector<Variant> vs;
    auto chunkOk = [&](int64_t q) { return q <= std::max<int64_t>(maxL, o.chunks.front()); };
    for (int64_t q : fusedQs) {
      if (!chunkOk(q))
        continue;
      for (int pb : {0, 32}) {
        if (pb == 32 && (dt != "bf16" || grp.key.p <= 32))
          continue;  // the SIMT path has one geometry; P = 32 is one block already
        cu::FusedSsdLaunch g = cu::fusedSsdLaunch(int(q), int(grp.key.p), int(grp.key.n),
                                                  o.batch, grp.key.h, maxL, dt == "bf16", pb);
        Variant v{Kind::Fused, int(q), 0, pb};
        if (g.error) {
          if (notApplicable && pb == 0)
            (*notApplicable)[v.schedule() + " fused"] = g.error;
          continue;
        }
        vs.push_back(v);
      }
    }
    // The executor's geometry first (times_us needs it), then the other
    // block sizes (recorded). The recurrent kernel of ssdc/decode_launch.h
    // recomputes its layout from the block size the header gives: that one only.
    auto withBlocks = [&](Kind k, int q) {
      vs.push_back({k, q, 0, 0});
#ifdef SSDC_TUNE_DECODE_LAUNCH
      if (k == Kind::Recurrent)
        return;
#endif
      for (int64_t bl : blocks)
        if (bl != executorBlock(k, int(grp.key.p), int(grp.key.n)))
          vs.push_back({k, q, int(bl), 0});
    };
    std::vector<int64_t> qs = o.chunks;
    std::sort(qs.rbegin(), qs.rend());
    for (int64_t q : qs)
      if (chunkOk(q))
        withBlocks(Kind::Staged, int(q));
    withBlocks(Kind::Recurrent, 0);
    withBlocks(Kind::Quadratic, 0);
    return vs;
  };

  // The source: every instance any group's variants use.
  std::vector<Use> uses;
  for (const Group &grp : groups)
    for (const Variant &v : candidates(grp, nullptr))
      for (const Use &u : usesOf(v, dt, int(grp.key.p), int(grp.key.n)))
        uses.push_back(u);
  std::vector<std::string> kernelNames;
  std::string source = variantSource(uses, &kernelNames);

  if (!emit.empty()) {
    std::ofstream(emit, std::ios::binary) << source;
    std::string arch = a.values.count("--arch") ? a.values["--arch"] : "sm_90a";
    std::fprintf(stderr, "ssdc tune: wrote %s: %zu kernel instances for %zu groups (%s)\n",
                 emit.c_str(), kernelNames.size(), groups.size(), dt.c_str());
    for (const std::string &k : kernelNames)
      std::fprintf(stderr, "ssdc tune:   %s\n", k.c_str());
    if (arch != "none") {
      auto t0 = Clock::now();
      std::string image = rt::nvrtcCompile(source, arch, emit);
      std::fprintf(stderr, "ssdc tune: NVRTC %s compiled it for %s: %zu bytes in %.1f s\n",
                   rt::nvrtcVersionText().c_str(), arch.c_str(), image.size(),
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
    if (o.output.empty())
      return 0;
  }

  Gpu gpu = gpuFound ? *gpuFound : openGpu();
  Module mod;
  std::string note, arch;
  mod.m = rt::loadModuleFromSourceArchSpecific(source, "the tuner's variants", &note, &arch);
  std::fprintf(stderr, "ssdc tune: %s (compute capability %s, %d SMs): %s\n", gpu.name.c_str(),
               gpu.cc.c_str(), gpu.smCount, note.c_str());

  std::mt19937 rng(o.seed);
  auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  nlohmann::json entries = nlohmann::json::array();
  int discardedCount = 0, untimedCount = 0, prunedCount = 0, timedCount = 0;
  Events ev;
  for (size_t j = 0; j < groups.size(); ++j) {
    const Group &grp = groups[j];
    const int P = int(grp.key.p);
    int64_t maxL = *std::max_element(grp.ls.begin(), grp.ls.end());
    std::map<std::string, std::string> notApplicable;
    std::vector<Variant> variants = candidates(grp, &notApplicable);
    int minQ = 1 << 30;
    for (const Variant &v : variants)
      if (v.kind == Kind::Staged)
        minQ = std::min(minQ, v.q);
    if (minQ == 1 << 30)
      minQ = 64;
    // Fresh inputs for the check (and its float64 reference), others to time.
    int64_t lc = std::min(maxL, kCheckLength);
    Problem chk(o.batch, lc, grp.key, dt, minQ, rng);
    std::vector<double> ry(size_t(o.batch) * lc * grp.key.h * P),
        rfin(size_t(o.batch) * grp.key.h * P * grp.key.n);
    {
      auto wide = [](const std::vector<float> &v) { return std::vector<double>(v.begin(), v.end()); };
      std::vector<double> x = wide(chk.x), dts = wide(chk.dts), A = wide(chk.A), B = wide(chk.B),
                          C = wide(chk.C), D = wide(chk.D), bias = wide(chk.bias);
      ref::SsdShape rs{o.batch, lc, grp.key.h, grp.key.p, grp.key.g, grp.key.n};
      ref::ssd(rs, ref::DtParams{}, x.data(), dts.data(), A.data(), B.data(), C.data(), D.data(),
               bias.data(), nullptr, ry.data(), rfin.data());
    }
    std::vector<std::unique_ptr<Problem>> timing;
    for (int64_t l : grp.ls)
      timing.push_back(std::make_unique<Problem>(o.batch, l, grp.key, dt, minQ, rng));
    std::string ls = lengthList(grp.ls);

    nlohmann::json times = nlohmann::json::object(), perLength = nlohmann::json::object(),
                   discarded = nlohmann::json::object(), pruned = nlohmann::json::object(),
                   all = nlohmann::json::array(), otherForm = nlohmann::json::object();
    std::vector<std::string> untimed;
    std::string best;
    double bestUs = 0;
    for (size_t vi = 0; vi < variants.size(); ++vi) {
      const Variant &v = variants[vi];
      const std::string name = v.name(P, int(grp.key.n));
      std::fprintf(stderr,
                   "ssdc tune: [%zu/%zu] l=%s h=%lld p=%lld g=%lld n=%lld: %s "
                   "(%zu left after it%s%s)\n",
                   j + 1, groups.size(), ls.c_str(), (long long)grp.key.h, (long long)grp.key.p,
                   (long long)grp.key.g, (long long)grp.key.n, name.c_str(),
                   variants.size() - vi - 1, best.empty() ? "" : "; best so far ", best.c_str());
      if (elapsed() > o.budget) {
        untimed.push_back(name);
        ++untimedCount;
        continue;
      }
      nlohmann::json rec = {{"variant", name}, {"schedule", v.schedule()},
                            {"executor_default", v.executorDefault()}};
      if (!v.form().empty())
        rec["form"] = v.form();
      rec["launch"] = {{v.kind == Kind::Fused ? "p_block" : "block",
                        v.launchValue(P, int(grp.key.n))}};
      // What fits, at the check length.
      std::string why;
      std::vector<KLaunch> kl = launchesOf(v, chk, &why);
      nlohmann::json info;
      if (why.empty())
        why = fits(mod, gpu, kl, &info);
      if (!why.empty()) {
        std::fprintf(stderr, "ssdc tune:   %s pruned: %s\n", name.c_str(), why.c_str());
        pruned[name] = why;
        ++prunedCount;
        continue;
      }
      for (auto &[k, val] : info.items())
        rec["launch"][k] = val;
      // The check: NaN-poisoned outputs, fresh inputs, float64 reference
      // (a first run loads the kernels, so that the check run's time, which
      // predicts the timed ones, is not the module loading's).
      chk.poison();
      ev.time(mod, kl, name);
      chk.poison();
      float checkMs = ev.time(mod, kl, name);
      std::vector<float> y = chk.y();
      if (injectWrong(v.schedule()) || injectWrong(name))  // test hook: a wrong kernel
        y[y.size() / 2] += 1.0f;
      double err = referenceError(y, chk.fin(), ry, rfin);
      rec["check_error"] = err;
      if (!(err <= tol)) {
        std::fprintf(stderr, "ssdc tune:   %s discarded: %.3g from float64 (> %.0e), not timed\n",
                     name.c_str(), err, tol);
        discarded[name] = "relative error " + fmt("%.3g", err) + " vs float64 > " + fmt("%.0e", tol);
        ++discardedCount;
        continue;
      }
      // Timing at each length of the bucket.
      double us = 0;
      nlohmann::json parts = nlohmann::json::object();
      for (size_t i = 0; i < grp.ls.size() && why.empty(); ++i) {
        Problem &tp = *timing[i];
        std::vector<KLaunch> tl = launchesOf(v, tp, &why);
        if (why.empty())
          why = fits(mod, gpu, tl, nullptr);
        if (!why.empty())
          break;
        double ratio = double(tp.l) / double(lc);
        double predicted = checkMs * (v.kind == Kind::Quadratic ? ratio * ratio : ratio);
        if (predicted > maxVariantMs) {
          why = "predicted " + fmt("%.0f", predicted) + " ms per run at l=" +
                std::to_string(tp.l) + " from its check run (" + fmt("%.2f", checkMs) +
                " ms at l=" + std::to_string(lc) + "), over --max-variant-ms " +
                fmt("%.0f", maxVariantMs);
          break;
        }
        float warm = ev.time(mod, tl, name);
        int reps = int(std::clamp<double>(std::floor(3000.0 / std::max(warm, 1e-3f)), 1,
                                          double(o.repeats)));
        std::vector<float> t;
        for (int r = 0; r < reps; ++r)
          t.push_back(ev.time(mod, tl, name));
        std::sort(t.begin(), t.end());
        double med = double(t[t.size() / 2]) * 1e3;
        parts[std::to_string(tp.l)] = {{"us", med}, {"repeats", reps}};
        us += med;
      }
      if (!why.empty()) {
        std::fprintf(stderr, "ssdc tune:   %s pruned: %s\n", name.c_str(), why.c_str());
        pruned[name] = why;
        ++prunedCount;
        continue;
      }
      ++timedCount;
      rec["times_us"] = us;
      rec["per_length"] = parts;
      all.push_back(rec);
      // times_us: the executor's geometry, in the requested chunked form
      // (a fused variant where the form is fused and the kernel takes the
      // shape, else staged), as `ssdc compile --chunked-form FORM` builds it.
      bool counts = v.executorDefault();
      if (v.kind == Kind::Staged && form == "fused" &&
          !cu::fusedSsdLaunch(v.q, P, int(grp.key.n), o.batch, grp.key.h, maxL, dt == "bf16").error &&
          std::count(fusedQs.begin(), fusedQs.end(), v.q))
        counts = false;
      if (v.kind == Kind::Fused && form != "fused")
        counts = false;
      if (counts) {
        times[v.schedule()] = us;
        for (auto &[l, part] : parts.items())
          perLength[l][v.schedule()] = part["us"];
        if (best.empty() || us < bestUs)
          best = v.schedule(), bestUs = us;
      } else if (v.executorDefault()) {
        otherForm[v.schedule()] = us;
      }
      std::fprintf(stderr, "ssdc tune:   %s: %.1f us (float64 check %.2g)\n", name.c_str(), us, err);
    }
    if (times.empty())
      continue;
    nlohmann::json e = {{"target", gpu.target},
                        {"device", gpu.name},
                        {"compute_capability", gpu.cc},
                        {"op", "sma"},
                        {"dtype", dt},
                        {"b", {o.batch, o.batch}},
                        {"l", bucketJson(grp.bucket)},
                        {"h", grp.key.h},
                        {"p", grp.key.p},
                        {"g", grp.key.g},
                        {"n", grp.key.n},
                        {"chunked_form", form},
                        {"timed_at_l", grp.ls},
                        {"times_us", times},
                        {"variants", all}};
    if (grp.ls.size() > 1)
      e["times_us_per_length"] = perLength;
    if (!otherForm.empty())
      e[form == "fused" ? "times_us_staged" : "times_us_fused"] = otherForm;
    if (!discarded.empty())
      e["discarded"] = discarded;
    if (!pruned.empty())
      e["pruned"] = pruned;
    if (!notApplicable.empty())
      e["not_applicable"] = notApplicable;
    if (!untimed.empty())
      e["not_timed_budget"] = untimed;
    entries.push_back(e);
  }
  if (entries.empty())
    throw RuntimeError("nothing was timed (budget " + std::to_string(o.budget) + " s); " +
                       o.output + " not written");
  nlohmann::json db = {
      {"format", "ssdc-tuning-db"},
      {"version", 1},
      {"note", "written by ssdc tune --device cuda from " + art.path + " on " + gpu.name +
                   " (compute capability " + gpu.cc + "); CUDA events, median of up to " +
                   std::to_string(o.repeats) + " runs; checked against float64 before timing; "
                   "times_us: the executor's launch geometry, chunked form '" + form +
                   "' (compile with --chunked-form " + form + ")"},
      {"tuner", {{"device", gpu.name}, {"compute_capability", gpu.cc}, {"arch", arch},
                 {"nvrtc", rt::nvrtcVersionText()}, {"chunked_form", form},
                 {"tolerance", tol}, {"kernels", kernelNames.size()}}},
      {"entries", entries}};
  writeAtomically(o.output, db.dump(1) + "\n");
  std::fprintf(stderr,
               "ssdc tune: wrote %s (%zu entries; %d variants timed, %d discarded, %d pruned, "
               "%d not timed within the %.0f s budget) in %.1f s\n",
               o.output.c_str(), entries.size(), timedCount, discardedCount, prunedCount,
               untimedCount, o.budget, elapsed());
  return 0;
}

} // namespace ssdc::driver::tune
