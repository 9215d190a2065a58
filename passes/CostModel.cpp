//===- CostModel.cpp - analytic cost of the SSD schedules -----------------===//
//
// Formulas (2 FLOPs per multiply-add; e = activation element bytes; state
// and intermediates f32):
//   tokens   = e·B·L·(2·H·P + 2·G·N + H)       x, dt, B, C in; y out
//   state    = 4·B·H·P·N·(1 + init)             final state out, init in
// recurrent: vector 5·B·L·H·P·N (a·S + u⊗B: 3, S·C: 2), exps B·L·H,
//            bytes tokens + state, 1 launch, depth L (scan steps)
// quadratic: matmul (2·B·G·N + 2·B·H·P)·L²·f + 2·B·L·H·P·N·(1 + init),
//            f = (L+1)/(2L); exps B·H·L²·f + B·L·H; bytes tokens + state;
//            1 launch, depth 0
// chunked(Q) (PERF.md, q = min(Q, L), c = ceil(L/Q), f = (q+1)/(2q)):
//            matmul 2·B·L·G·q·N + 4·B·L·H·P·N + 2·B·L·H·q·P·f,
//            vector 2·B·c·H·P·N (state passing), exps B·L·H·q·f,
//            bytes B·L·((e/2)·(6·H·P + 8·G·N) + 26·H + 8·G·q)
//                  + 12·B·c·H·P·N + state    (the unfused 4-kernel bytes;
//            PERF.md's Triton formula when e = 2 and Q divides L),
//            4 launches, depth c (chunk-to-chunk steps)
// chunked(Q), fused (Q in Shape::fusedChunks: one kernel, dt, cumsums, C·Bᵀ
//            and states on chip; codegen/cuda/templates/ssd_fused.cuh):
//            matmul 2·B·L·H·q·N (C·Bᵀ per head, as that kernel does)
//            + 4·B·L·H·P·N + 2·B·L·H·q·P·f, exps as above, bytes tokens +
//            state (PERF.md's fused minimum), 1 launch, depth c
//
// These counts are what a schedule does. The cuda-sm90 schedule *times*
// come from cudaKernelSeconds below: a roofline of the kernels as built
// (codegen/cuda/templates), each with its own measured rate, per-launch
// cost and critical path (docs/perf/gpu_short.md has the measurements).
//
//===----------------------------------------------------------------------===//

#include "passes/CostModel.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>

using namespace ssdc;
using namespace ssdc::cost;

std::string Schedule::str() const {
  switch (kind) {
  case Kind::Recurrent:
    return "recurrent";
  case Kind::Quadratic:
    return "quadratic";
  case Kind::Chunked:
    return "chunked-" + std::to_string(chunkSize);
  }
  return "";
}

std::optional<Schedule> Schedule::parse(llvm::StringRef s) {
  if (s == "recurrent")
    return Schedule{Kind::Recurrent, 0};
  if (s == "quadratic")
    return Schedule{Kind::Quadratic, 0};
  int64_t q;
  if (s.consume_front("chunked-") && !s.getAsInteger(10, q) && q > 0)
    return Schedule{Kind::Chunked, q};
  return std::nullopt;
}

std::optional<Target> cost::lookupTarget(llvm::StringRef name) {
  // H100 SXM. Measured (REFERENCE.md, one H100): 3.0 TB/s copy, 695 TFLOP/s
  // bf16 GEMM (8192³). PERF.md: exp on the SFUs ~3.9 T/s, 2–4 µs launch and
  // tail per kernel. Datasheet: 67 TFLOP/s fp32 FMA (f32 matmuls stay off
  // TF32: the numerics policy asks 1e-5). Step latencies are estimates
  // (~300 cycles per dependent scan step incl. the shuffle reduction over N;
  // an L2 round trip plus a P×N multiply-add per chunk), to be replaced by
  // tuning-db measurements.
  if (name == "cuda-sm90")
    return Target{"cuda-sm90", 695e12, 67e12, 67e12, 3.0e12, 3.9e12,
                  3e-6,        0.2e-6, 0.5e-6, /*provisional=*/false,
                  std::nullopt};
  // The CPU (2-core AVX2 EPYC running the fp32 Halide kernels): SSD schedule
  // times from the least-squares fit of the measured sweep in
  // docs/perf/cpu_crossovers.md ("Cost model"; command there). The roofline
  // figures stay for the attention estimate: 2 cores × 2.45 GHz × 32 FLOP/
  // cycle ≈ 157 GFLOP/s f32 FMA peak, ~13 GB/s read bandwidth (tools/membw).
  if (name == "cpu") {
    Target t{"cpu", 100e9, 100e9, 30e9, 13e9, 2e9,
             20e-6, 5e-9, 1e-6, /*provisional=*/false, std::nullopt};
    t.fit = Target::MeasuredFit{17.6e-6,  0.2558e-9,
                                20.6e-6,  0.08971e-9, 0.01105e-9,
                                34.2e-6,  0.07657e-9, 1.192e-9, 0.01621e-9};
    return t;
  }
  return std::nullopt;
}

llvm::StringRef cost::knownTargets() { return "cpu, cuda-sm90"; }

static double d(int64_t v) { return static_cast<double>(v); }

namespace {

/// The CUDA kernels' figures on one H100 SXM (132 SMs), fitted to
/// test/gpu/kernels/ssd_time.cu (each kernel alone, mean of 50 back-to-back
/// launches) at mamba2-130m's layer shape (H 24, P 64, N 128, batch 1) for
/// L = 16 ... 4096 and at H 80 (L 64, 512, 2048), bf16 and f32: the second
/// GPU run of docs/perf/gpu_short.md (commit 2557c1b's kernels), which lists
/// every measurement next to this model. Seconds.
struct CudaFigures {
  double sms = 132;
  /// A launch back to back on one stream (the smallest kernels' times).
  double launch = 4.0e-6;
  /// The tiled SIMT kernels (ssm_quadratic, chunk_output, chunk_state: one
  /// 256-thread CTA per 64 × 64 output tile, codegen/cuda/templates). One
  /// tile unit is 64·64·64 fp32 multiply-adds with its operand staging.
  /// `alone`: a CTA's time per unit when it is on the critical path (few
  /// CTAs); `shared`: SM time per unit when the SMs are full (two or more
  /// CTAs resident; `sharedOne` when shared memory admits one). f32
  /// operands take `f32Scale` of the bf16 times (no conversions, half the
  /// staging instructions per byte).
  double unitAlone = 7.5e-6, unitShared = 5.5e-6, unitSharedOne = 7.5e-6;
  double f32Scale = 0.69;
  /// ssm_quadratic's per-CTA setup (dt, the double cumsum scan).
  double quadraticSetup = 7.3e-6;
  /// chunk_output's per-CTA setup.
  double outputSetup = 2.0e-6;
  /// chunk_state: its unit stages twice the operands of a score unit.
  double stateUnitAlone = 11.2e-6, stateUnitShared = 4.6e-6, stateCtaShared = 3.0e-6;
  /// The recurrent kernel: one dependent step per token, slower as more
  /// (batch, head) CTAs share the SMs (× (1 + B·H / 264)).
  double recurrentStep = 1.266e-6, recurrentStepF32 = 1.09e-6;
  /// chunk_cumsum: one thread per head walks min(Q, L) tokens.
  double cumsumPerToken = 0.041e-6;
  /// The x·dt' broadcast mul before chunk_state: elements per second.
  double mulRate = 115e9;
  /// state_pass: reads the chunk states and writes the chunk-start
  /// states, bytes per second.
  double statePassBandwidth = 2.25e12;
  /// The fused chunked kernel (ssd_fused.cuh), bf16 wgmma path: per chunk
  /// of one CTA (batch, head, 64 head-dim columns), Q = 64 / 128, and CTAs
  /// per SM (shared memory: 106 KiB / 194 KiB); its SIMT fp32 path: per
  /// 32-token chunk, one CTA per SM.
  double fusedChunk64 = 2.65e-6, fusedChunk128 = 4.6e-6, fusedSimtChunk32 = 29.7e-6;
  int fusedPerSm64 = 2, fusedPerSm128 = 1;
};

const CudaFigures kCuda;

double ceilDiv(double a, double b) { return std::ceil(a / b); }

/// Shared memory of a tiled CTA (ssdc/ssd_staged_launch.h, SsdTileSmem),
/// bytes, for `tokens` and a resident C over `dstate` (0: none).
double tileSmem(double tokens, double dstate) {
  double a = ceilDiv(dstate, 64) * 64 * 68 * 4;
  return tokens * 12 + 2 * 256 * 8 + a + 3 * 64 * 68 * 4 + 16 * 256 * 4;
}

/// A tiled kernel: `ctas` CTAs, `units` tile units in all, the longest CTA
/// `path` seconds; the larger of the critical path and the SMs'
/// throughput, plus the launch.
double tiledSeconds(double ctas, double units, double path, double smem, double scale) {
  if (ctas <= 0)
    return kCuda.launch;
  double perUnit = smem * 2 + 2048 > 228 * 1024 ? kCuda.unitSharedOne : kCuda.unitShared;
  return kCuda.launch + scale * std::max(path, units * perUnit / kCuda.sms);
}

} // namespace

double cost::cudaKernelSeconds(const Shape &s, Schedule sched) {
  const double B = d(s.b), L = d(s.l), H = d(s.h), T = 64;
  const double pB = ceilDiv(d(s.p), T), nB = ceilDiv(d(s.n), T);
  const double scale = s.elemBytes >= 4 ? kCuda.f32Scale : 1.0;
  switch (sched.kind) {
  case Kind::Recurrent:
    return kCuda.launch + L * (s.elemBytes >= 4 ? kCuda.recurrentStepF32 : kCuda.recurrentStep) *
                              (1 + B * H / 264);
  case Kind::Quadratic: {
    // y CTAs per (b, h, p block, row block r): r + 1 j-tile steps of scores
    // (nB units) and scores·x (1 unit), plus C·S0 (nB) with an initial
    // state; state CTAs per (b, h, p block, n block): a unit per 64 tokens.
    double R = ceilDiv(L, T), step = nB + std::min(L, T) / T, init = s.hasInit ? nB : 0;
    double yCtas = B * H * pB * R, stCtas = B * H * pB * nB;
    double units = B * H * pB * (R * (R + 1) / 2 * step + R * init) + stCtas * R;
    double path = kCuda.quadraticSetup + (R * step + init) * kCuda.unitAlone;
    return tiledSeconds(yCtas + stCtas, units, path, tileSmem(L, d(s.n)), scale);
  }
  case Kind::Chunked: {
    double Q = d(sched.chunkSize), q = std::min(Q, L), c = ceilDiv(L, Q);
    if (std::find(s.fusedChunks.begin(), s.fusedChunks.end(), sched.chunkSize) !=
        s.fusedChunks.end()) {
      // Per-chunk times measured at P 64, N 128, scaled by a chunk's work
      // (Q²(P + N)/2 + 2QPN per CTA, P at most 64 per CTA) for other
      // shapes, at least a tenth (latency).
      double ctas = B * H * pB, pc = std::min(d(s.p), T), n = d(s.n);
      auto work = [&](double qq, double pp, double nn) {
        return qq * qq * (pp + nn) / 2 + 2 * qq * pp * nn;
      };
      if (s.elemBytes >= 4)  // the SIMT fp32 path: 32-token chunks, 1 CTA per SM
        return kCuda.launch + ceilDiv(ctas, kCuda.sms) * ceilDiv(L, 32) *
                                  kCuda.fusedSimtChunk32 *
                                  std::max(0.1, work(32, pc, n) / work(32, 64, 128));
      bool small = sched.chunkSize <= 64;
      double perSm = small ? kCuda.fusedPerSm64 : kCuda.fusedPerSm128;
      double chunk = (small ? kCuda.fusedChunk64 : kCuda.fusedChunk128) *
                     std::max(0.1, work(Q, pc, n) / work(Q, 64, 128));
      return kCuda.launch + ceilDiv(ctas, perSm * kCuda.sms) * c * chunk;
    }
    // The staged kernels: chunk_cumsum, x·dt' mul, chunk_state, state_pass,
    // chunk_output.
    double cumsum = kCuda.launch + q * kCuda.cumsumPerToken;
    double mul = kCuda.launch + B * L * H * d(s.p) / kCuda.mulRate;
    double rb = ceilDiv(q, T);  // row blocks (token tiles) of a chunk
    double tileUnits = std::min(q, T) / T;  // a partial tile (Q < 64)
    double stCtas = B * c * H * pB * nB, stUnits = rb * tileUnits;
    double state = kCuda.launch +
                   scale * std::max(stUnits * kCuda.stateUnitAlone,
                                    stCtas * (kCuda.stateCtaShared +
                                              stUnits * kCuda.stateUnitShared) / kCuda.sms);
    double pass = kCuda.launch + c * 8.0 * B * H * d(s.p) * d(s.n) / kCuda.statePassBandwidth;
    // chunk_output: per row block r of a chunk, C·prev (nB units) and r + 1
    // steps of scores (nB) + scores·x (1).
    double outCtas = B * c * H * pB * rb;
    double outUnits = B * c * H * pB * (rb * nB + rb * (rb + 1) / 2 * (nB + tileUnits));
    double outPath = kCuda.outputSetup + (nB + rb * (nB + tileUnits)) * kCuda.unitAlone;
    double output = tiledSeconds(outCtas, outUnits, outPath, tileSmem(q, d(s.n)), scale);
    return cumsum + mul + state + pass + output;
  }
  }
  return 0;
}

static double tokenBytes(const Shape &s) {
  return d(s.elemBytes) * d(s.b) * d(s.l) *
         d(2 * s.h * s.p + 2 * s.g * s.n + s.h);
}

static double stateBytes(const Shape &s) {
  return 4.0 * d(s.b * s.h * s.p * s.n) * (s.hasInit ? 2.0 : 1.0);
}

Work cost::recurrentWork(const Shape &s, const Target &t) {
  Work w;
  w.vectorFlops = 5.0 * d(s.b) * d(s.l) * d(s.h * s.p * s.n);
  w.exps = d(s.b) * d(s.l) * d(s.h);
  w.bytes = tokenBytes(s) + stateBytes(s);
  w.launches = 1;
  w.depth = s.l;
  w.stepLatency = t.scanStepLatency;
  return w;
}

Work cost::quadraticWork(const Shape &s, const Target &) {
  Work w;
  double l = d(s.l), f = (l + 1.0) / (2.0 * l);
  w.matmulFlops = (2.0 * d(s.b * s.g * s.n) + 2.0 * d(s.b * s.h * s.p)) * l *
                      l * f +
                  2.0 * d(s.b) * l * d(s.h * s.p * s.n) *
                      (s.hasInit ? 2.0 : 1.0);
  w.exps = d(s.b * s.h) * l * l * f + d(s.b) * l * d(s.h);
  w.bytes = tokenBytes(s) + stateBytes(s);
  w.launches = 1;
  return w;
}

Work cost::chunkedWork(const Shape &s, const Target &t, int64_t chunk) {
  Work w;
  int64_t q = std::min(chunk, s.l), c = (s.l + chunk - 1) / chunk;
  double b = d(s.b), l = d(s.l), f = (d(q) + 1.0) / (2.0 * d(q));
  double hpn = d(s.h * s.p * s.n);
  w.matmulFlops = 2.0 * b * l * d(s.g * q * s.n) + 4.0 * b * l * hpn +
                  2.0 * b * l * d(s.h * q * s.p) * f;
  w.vectorFlops = 2.0 * b * d(c) * hpn;
  w.exps = b * l * d(s.h * q) * f;
  if (std::find(s.fusedChunks.begin(), s.fusedChunks.end(), chunk) != s.fusedChunks.end()) {
    w.matmulFlops = 2.0 * b * l * d(s.h * q * s.n) + 4.0 * b * l * hpn +
                    2.0 * b * l * d(s.h * q * s.p) * f;
    w.vectorFlops = 0;
    w.bytes = tokenBytes(s) + stateBytes(s);
    w.launches = 1;
    w.depth = c;
    w.stepLatency = t.chunkStepLatency;
    return w;
  }
  double perToken = d(s.elemBytes) / 2.0 * d(6 * s.h * s.p + 8 * s.g * s.n) +
                    d(26 * s.h + 8 * s.g * q);
  w.bytes = b * l * perToken + 12.0 * b * d(c) * hpn + stateBytes(s);
  w.launches = 4;
  w.depth = c;
  w.stepLatency = t.chunkStepLatency;
  return w;
}

Work cost::work(const Shape &s, const Target &t, Schedule sched) {
  switch (sched.kind) {
  case Kind::Recurrent:
    return recurrentWork(s, t);
  case Kind::Quadratic:
    return quadraticWork(s, t);
  case Kind::Chunked:
    return chunkedWork(s, t, sched.chunkSize);
  }
  return {};
}

double cost::seconds(const Work &w, const Target &t, int64_t elemBytes) {
  double matmulRate = elemBytes >= 4 ? t.matmulFlops32 : t.matmulFlops16;
  double compute = w.matmulFlops / matmulRate + w.vectorFlops / t.vectorFlops;
  double memory = w.bytes / t.bandwidth;
  double exps = w.exps / t.expRate;
  return std::max({compute, memory, exps}) +
         d(w.launches) * t.launchOverhead + d(w.depth) * w.stepLatency;
}

llvm::SmallVector<Estimate> cost::estimateAll(const Shape &s, const Target &t,
                                              llvm::ArrayRef<int64_t> chunks,
                                              bool allowChunked) {
  llvm::SmallVector<Schedule> scheds = {{Kind::Recurrent, 0},
                                        {Kind::Quadratic, 0}};
  if (allowChunked)
    for (int64_t q : chunks)
      scheds.push_back({Kind::Chunked, q});
  llvm::SmallVector<Estimate> out;
  for (Schedule sc : scheds)
    out.push_back({sc, t.fit                     ? fittedSeconds(s, t, sc)
                       : t.name == "cuda-sm90" ? cudaKernelSeconds(s, sc)
                                               : seconds(work(s, t, sc), t, s.elemBytes)});
  return out;
}

double cost::fittedSeconds(const Shape &s, const Target &t, Schedule sched) {
  const Target::MeasuredFit &f = *t.fit;
  double heads = d(s.b) * d(s.h), l = d(s.l);
  double w = l * heads * d(s.p) * d(s.n);
  switch (sched.kind) {
  case Kind::Recurrent:
    return f.recurrentBase + f.recurrentPerW * w;
  case Kind::Quadratic:
    return f.quadraticBase + f.quadraticPerW * w +
           f.quadraticPerL2 * l * l * heads * d(s.p + s.n);
  case Kind::Chunked: {
    double q = d(sched.chunkSize);
    return f.chunkedBase + f.chunkedPerW * w + f.chunkedPerWOverQ * w / q +
           f.chunkedPerLQ * l * heads * q * d(s.p + s.n);
  }
  }
  return 0;
}

Estimate cost::choose(const Shape &s, llvm::ArrayRef<Estimate> estimates) {
  Estimate best = estimates.front();
  for (const Estimate &e : estimates) {
    if (s.l == 1 && e.schedule.kind == Kind::Recurrent)
      return e;
    if (e.seconds < best.seconds)
      best = e;
  }
  return best;
}

Work cost::attentionWork(int64_t b, int64_t l, int64_t s, int64_t hq,
                         int64_t hk, int64_t dh, int64_t elemBytes,
                         const Target &) {
  Work w;
  double keys = d(s) + (d(l) + 1.0) / 2.0; // keys per query, causal
  w.matmulFlops = 4.0 * d(b * hq * dh) * d(l) * keys;
  w.exps = d(b * hq) * d(l) * keys;
  w.bytes = d(elemBytes) * d(b) *
            (d(l) * d(2 * hq * dh + 4 * hk * dh) + d(s) * d(2 * hk * dh));
  w.launches = 1;
  return w;
}
