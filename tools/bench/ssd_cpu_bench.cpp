// Times the CPU SSD schedules on Mamba-2 head shapes (P = 64, N = 128, G = 1)
// over sequence length L, b*h (batch 1, h heads) and chunk size Q, plus the
// one-token decode step. Each benchmark reports ns per (L*H*P*N) so the cost
// model can read a per-schedule coefficient. Usage:
//   ssdc_bench_ssd_cpu [--benchmark_filter=...] [--benchmark_format=csv]
// Optional env SSDC_BENCH_P / SSDC_BENCH_N override P and N.
#include "ssdc/cpu_kernels.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

namespace {

int envInt(const char *name, int dflt) {
  const char *v = std::getenv(name);
  return v ? std::atoi(v) : dflt;
}

struct Problem {
  ssdc::cpu::SsdShape s;
  std::vector<float> x, dt, A, B, C, D, bias, init, y, fin;

  Problem(int L, int H) {
    s = {1, L, H, envInt("SSDC_BENCH_P", 64), 1, envInt("SSDC_BENCH_N", 128)};
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> u(-1, 1);
    auto fill = [&](std::vector<float> &v, size_t n) {
      v.resize(n);
      for (auto &e : v)
        e = u(rng);
    };
    const size_t P = s.headdim, N = s.dstate;
    fill(x, size_t(L) * H * P);
    fill(dt, size_t(L) * H);
    fill(B, size_t(L) * N);
    fill(C, size_t(L) * N);
    fill(D, H);
    fill(bias, H);
    fill(init, size_t(H) * P * N);
    A.assign(H, -0.5f);
    y.resize(x.size());
    fin.resize(init.size());
  }
  ssdc::cpu::SsdArgs args() {
    ssdc::cpu::SsdArgs a;
    a.x = x.data(); a.dt = dt.data(); a.A = A.data(); a.B = B.data();
    a.C = C.data(); a.D = D.data(); a.dtBias = bias.data();
    a.initState = init.data(); a.y = y.data(); a.finalState = fin.data();
    return a;
  }
  double work() const { // L * H * P * N
    return double(s.len) * s.heads * s.headdim * s.dstate;
  }
};

void report(benchmark::State &st, const Problem &p) {
  // Rate inverted = seconds per unit; units of 1e-9 make it ns per unit.
  st.counters["ns_per_LHPN"] = benchmark::Counter(
      p.work() * double(st.iterations()) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Recurrent(benchmark::State &st) {
  Problem p(int(st.range(0)), int(st.range(1)));
  ssdc::cpu::DtParams dtp;
  auto a = p.args();
  for (auto _ : st)
    if (ssdc::cpu::ssdRecurrent(p.s, dtp, a))
      st.SkipWithError("kernel failed");
  report(st, p);
}

void BM_Quadratic(benchmark::State &st) {
  Problem p(int(st.range(0)), int(st.range(1)));
  ssdc::cpu::DtParams dtp;
  auto a = p.args();
  for (auto _ : st)
    if (ssdc::cpu::ssdQuadratic(p.s, dtp, a))
      st.SkipWithError("kernel failed");
  report(st, p);
}

void BM_Chunked(benchmark::State &st) {
  Problem p(int(st.range(0)), int(st.range(1)));
  ssdc::cpu::DtParams dtp;
  auto a = p.args();
  const int q = int(st.range(2));
  for (auto _ : st)
    if (ssdc::cpu::ssdChunked(p.s, dtp, a, q))
      st.SkipWithError("kernel failed");
  report(st, p);
}

void BM_DecodeStep(benchmark::State &st) {
  Problem p(1, int(st.range(1)));
  ssdc::cpu::DtParams dtp;
  for (auto _ : st)
    if (ssdc::cpu::ssdDecodeStep(p.s, dtp, p.x.data(), p.dt.data(), p.A.data(),
                                 p.B.data(), p.C.data(), p.D.data(),
                                 p.bias.data(), p.init.data(), p.y.data()))
      st.SkipWithError("kernel failed");
  report(st, p);
}

// Grid: L x b*h, capped so one point stays under ~1 s on 2 cores.
const std::vector<int> kLens = {1, 4, 16, 64, 256, 1024, 4096};
const std::vector<int> kHeads = {1, 8, 32};
const std::vector<int> kChunks = {16, 32, 64, 128, 256};

void gridLH(benchmark::internal::Benchmark *b, long maxL2H) {
  for (int h : kHeads)
    for (int L : kLens)
      if (long(L) * L * h <= maxL2H)
        b->Args({L, h});
}

void gridRecurrent(benchmark::internal::Benchmark *b) { gridLH(b, 1L << 40); }
void gridQuadratic(benchmark::internal::Benchmark *b) {
  gridLH(b, 32L * 1024 * 1024); // L^2 h <= 32M (L 1024 at h 32)
}
void gridChunked(benchmark::internal::Benchmark *b) {
  for (int h : kHeads)
    for (int L : kLens)
      for (int q : kChunks)
        if (q <= 2 * L || q == kChunks.front())
          b->Args({L, h, q});
}

void gridDecode(benchmark::internal::Benchmark *b) {
  for (int h : kHeads)
    b->Args({1, h});
}

} // namespace

BENCHMARK(BM_DecodeStep)->Apply(gridDecode)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Recurrent)->Apply(gridRecurrent)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Quadratic)->Apply(gridQuadratic)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Chunked)->Apply(gridChunked)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
