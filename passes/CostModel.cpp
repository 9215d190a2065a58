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
//===----------------------------------------------------------------------===//

#include "passes/CostModel.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>

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
    out.push_back({sc, t.fit ? fittedSeconds(s, t, sc)
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
