//===- CostModelTest.cpp - the cost model's arithmetic --------------------===//
//
// FLOP, exp and byte counts against the formulas of ../shared/PERF.md written
// out again here; the time formula; the decode rule; the cuda-sm90 crossover
// documented in docs/passes.md.
//
//===----------------------------------------------------------------------===//

#include "passes/CostModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <algorithm>

using namespace ssdc::cost;

namespace {

/// mamba2-2.7b's SSD at the peers' benchmark size (REFERENCE.md).
Shape mamba27b(int64_t l) {
  Shape s;
  s.b = 1, s.l = l, s.h = 80, s.p = 64, s.g = 1, s.n = 128, s.elemBytes = 2;
  return s;
}

Target h100() { return *lookupTarget("cuda-sm90"); }

TEST(CostModel, ChunkedMatchesPerfMd) {
  const double B = 1, L = 16384, H = 80, P = 64, N = 128, G = 1;
  for (double Q : {64.0, 128.0, 256.0}) {
    Work w = chunkedWork(mamba27b(16384), h100(), static_cast<int64_t>(Q));
    double f = (Q + 1) / (2 * Q);
    double flops = 2 * B * L * G * Q * N + 2 * B * L * H * P * N +
                   2 * B * L * H * P * N + 2 * B * L * H * Q * P * f;
    EXPECT_DOUBLE_EQ(w.matmulFlops, flops) << "Q=" << Q;
    EXPECT_DOUBLE_EQ(w.exps, B * L * H * Q * f);
    // PERF.md: Triton 5-kernel bytes per token, plus the final state once.
    double perToken =
        26 * H + 8 * G * N + 8 * G * Q + 6 * H * P + 12 * H * P * N / Q;
    EXPECT_DOUBLE_EQ(w.bytes, perToken * B * L + 4 * B * H * P * N);
    EXPECT_EQ(w.launches, 4);
    EXPECT_EQ(w.depth, static_cast<int64_t>(L / Q));
  }
  // PERF.md's headline: 157 / 96 / 67 KB per token at Q = 64 / 128 / 256.
  auto kbPerToken = [](int64_t q) {
    Work w = chunkedWork(mamba27b(16384), h100(), q);
    return (w.bytes - 4.0 * 80 * 64 * 128) / 16384 / 1000;
  };
  EXPECT_NEAR(kbPerToken(64), 157, 0.5);
  EXPECT_NEAR(kbPerToken(128), 96, 0.5);
  EXPECT_NEAR(kbPerToken(256), 67, 0.5);
}

TEST(CostModel, RecurrentAndQuadraticFormulas) {
  Shape s = mamba27b(512);
  s.hasInit = true;
  const double L = 512, H = 80, P = 64, N = 128, G = 1;
  double tokens = 2 * L * (2 * H * P + 2 * G * N + H);
  double state = 2 * 4 * H * P * N;
  Work r = recurrentWork(s, h100());
  EXPECT_DOUBLE_EQ(r.vectorFlops, 5 * L * H * P * N);
  EXPECT_DOUBLE_EQ(r.bytes, tokens + state);
  EXPECT_EQ(r.depth, 512);
  Work q = quadraticWork(s, h100());
  double f = (L + 1) / (2 * L);
  EXPECT_DOUBLE_EQ(q.matmulFlops, (2 * G * N + 2 * H * P) * L * L * f +
                                      2 * 2 * L * H * P * N);
  EXPECT_DOUBLE_EQ(q.exps, H * L * L * f + L * H);
  EXPECT_DOUBLE_EQ(q.bytes, tokens + state);
  EXPECT_EQ(q.depth, 0);
}

TEST(CostModel, TimeIsMaxOfThroughputsPlusLaunchesAndDepth) {
  Target t = h100();
  Work w;
  w.matmulFlops = 695e9; // 1 ms at 695 TFLOP/s
  w.bytes = 1.5e9;       // 0.5 ms at 3 TB/s
  w.exps = 0;
  w.launches = 2;
  w.depth = 10;
  w.stepLatency = 1e-6;
  EXPECT_NEAR(seconds(w, t, 2), 1e-3 + 2 * 3e-6 + 10e-6, 1e-12);
  w.bytes = 6e9; // now memory-bound: 2 ms
  EXPECT_NEAR(seconds(w, t, 2), 2e-3 + 2 * 3e-6 + 10e-6, 1e-12);
  w.exps = 3.9e10; // 10 ms on the SFUs
  EXPECT_NEAR(seconds(w, t, 2), 10e-3 + 2 * 3e-6 + 10e-6, 1e-12);
}

TEST(CostModel, DecodeIsRecurrent) {
  for (const char *name : {"cuda-sm90", "cpu"}) {
    Target t = *lookupTarget(name);
    Shape s = mamba27b(1);
    auto est = estimateAll(s, t, {64, 128, 256});
    EXPECT_EQ(choose(s, est).schedule.kind, Kind::Recurrent) << name;
  }
}

/// docs/perf/gpu_short.md: on cuda-sm90 at mamba2-2.7b shapes (bf16, batch
/// 1, the staged chunked form) the kernels' model is recurrent below 15
/// tokens, quadratic up to kCrossover and chunked-64 above (measured at H 80:
/// quadratic 37.0 us at L = 64 vs chunked-64 81.4, recurrent 101; at L = 512
/// chunked-64 312 vs quadratic 420; at 2048 chunked-64 1073 vs 7417).
constexpr int64_t kCrossover = 256;

TEST(CostModel, CudaCrossoverQuadraticToChunked) {
  Target t = h100();
  auto pick = [&](int64_t l) {
    Shape s = mamba27b(l);
    return choose(s, estimateAll(s, t, {32, 64, 128, 256})).schedule;
  };
  EXPECT_EQ(pick(8).kind, Kind::Recurrent);
  EXPECT_EQ(pick(64).kind, Kind::Quadratic);
  EXPECT_EQ(pick(kCrossover).kind, Kind::Quadratic);
  Schedule above = pick(kCrossover + 1);
  EXPECT_EQ(above.kind, Kind::Chunked);
  EXPECT_EQ(above.chunkSize, 64);
  EXPECT_EQ(pick(16384).chunkSize, 64);
}

// The cuda-sm90 kernel model against the kernels' measured times (us; one
// H100 SXM, test/gpu/kernels/ssd_time.cu, each kernel alone at a layer's
// shape: P 64, N 128, G 1, batch 1, H heads; the second GPU run of
// docs/perf/gpu_short.md). "chunked-Q": the staged kernels (cumsum, x·dt'
// mul, chunk_state, state_pass, chunk_output) summed; "fused-Q": the fused
// kernel. Every estimate within 1.6x of its measurement, and the model's
// pick among the measured schedules (staged form; fused form: fused Q 64 /
// 128 and staged 16 / 256) within 1.25x of the measured fastest.
TEST(CostModel, CudaModelMatchesMeasuredKernels) {
  struct Point {
    int64_t heads, elemBytes, l;
    std::vector<std::pair<std::string, double>> us;
  };
  std::vector<Point> table = {
      {24, 2, 16, {{"quadratic", 21.8}, {"recurrent", 25.1}, {"chunked-16", 51.4}, {"chunked-64", 51.4}, {"chunked-128", 51.3}, {"chunked-256", 51.4}, {"fused-64", 6.0}, {"fused-128", 7.9}}},
      {24, 4, 16, {{"quadratic", 19.1}, {"recurrent", 21.6}, {"chunked-16", 47.1}, {"chunked-64", 46.6}, {"chunked-128", 47.0}, {"chunked-256", 47.1}, {"fused-64", 28.2}, {"fused-128", 28.2}}},
      {24, 2, 64, {{"quadratic", 33.8}, {"recurrent", 91.0}, {"chunked-16", 55.0}, {"chunked-64", 72.2}, {"chunked-128", 71.8}, {"chunked-256", 71.8}, {"fused-64", 6.4}, {"fused-128", 8.0}}},
      {24, 4, 64, {{"quadratic", 23.6}, {"recurrent", 78.5}, {"chunked-16", 51.4}, {"chunked-64", 55.9}, {"chunked-128", 56.2}, {"chunked-256", 56.1}, {"fused-64", 63.7}, {"fused-128", 63.7}}},
      {24, 2, 128, {{"quadratic", 55.1}, {"recurrent", 178.9}, {"chunked-16", 69.1}, {"chunked-64", 73.8}, {"chunked-128", 108.2}, {"chunked-256", 108.2}, {"fused-64", 8.6}, {"fused-128", 8.1}}},
      {24, 4, 128, {{"quadratic", 37.0}, {"recurrent", 154.3}, {"chunked-16", 66.6}, {"chunked-64", 57.3}, {"chunked-128", 79.9}, {"chunked-256", 79.8}, {"fused-64", 122.8}, {"fused-128", 122.7}}},
      {24, 2, 256, {{"quadratic", 100.5}, {"recurrent", 354.7}, {"chunked-16", 130.9}, {"chunked-64", 78.6}, {"chunked-128", 111.0}, {"chunked-256", 180.3}, {"fused-64", 13.9}, {"fused-128", 12.6}}},
      {24, 4, 256, {{"quadratic", 72.8}, {"recurrent", 304.8}, {"chunked-16", 121.7}, {"chunked-64", 63.5}, {"chunked-128", 83.0}, {"chunked-256", 128.5}, {"fused-64", 241.0}, {"fused-128", 241.0}}},
      {24, 2, 512, {{"quadratic", 195.0}, {"recurrent", 708.1}, {"chunked-16", 221.0}, {"chunked-64", 97.7}, {"chunked-128", 129.5}, {"chunked-256", 196.6}, {"fused-64", 24.6}, {"fused-128", 21.9}}},
      {24, 4, 512, {{"quadratic", 139.8}, {"recurrent", 610.1}, {"chunked-16", 203.0}, {"chunked-64", 87.8}, {"chunked-128", 103.3}, {"chunked-256", 148.6}, {"fused-64", 473.6}, {"fused-128", 473.8}}},
      {24, 2, 1024, {{"quadratic", 683.9}, {"recurrent", 1401.4}, {"chunked-16", 418.1}, {"chunked-64", 201.3}, {"chunked-128", 194.8}, {"chunked-256", 243.4}, {"fused-64", 45.0}, {"fused-128", 39.8}}},
      {24, 4, 1024, {{"quadratic", 450.1}, {"recurrent", 1204.7}, {"chunked-16", 376.5}, {"chunked-64", 165.6}, {"chunked-128", 168.2}, {"chunked-256", 205.8}, {"fused-64", 942.8}, {"fused-128", 942.8}}},
      {24, 2, 2048, {{"quadratic", 2311.5}, {"recurrent", 2800.8}, {"chunked-16", 794.8}, {"chunked-64", 349.8}, {"chunked-128", 367.4}, {"chunked-256", 412.7}, {"fused-64", 87.2}, {"fused-128", 76.6}}},
      {24, 4, 2048, {{"quadratic", 1532.8}, {"recurrent", 2402.1}, {"chunked-16", 716.5}, {"chunked-64", 273.0}, {"chunked-128", 285.7}, {"chunked-256", 346.3}, {"fused-64", 1886.6}, {"fused-128", 1885.6}}},
      {24, 2, 4096, {{"quadratic", 8362.4}, {"recurrent", 5645.1}, {"chunked-16", 1538.2}, {"chunked-64", 683.2}, {"chunked-128", 729.2}, {"chunked-256", 837.3}, {"fused-64", 173.4}, {"fused-128", 150.9}}},
      {24, 4, 4096, {{"quadratic", 5575.3}, {"recurrent", 5377.8}, {"chunked-16", 1388.1}, {"chunked-64", 512.3}, {"chunked-128", 542.6}, {"chunked-256", 651.4}, {"fused-64", 3946.9}, {"fused-128", 3949.7}}},
      {80, 2, 64, {{"quadratic", 37.0}, {"recurrent", 100.9}, {"chunked-16", 123.8}, {"chunked-64", 81.4}, {"chunked-128", 81.1}, {"chunked-256", 81.1}, {"fused-64", 6.3}, {"fused-128", 8.3}}},
      {80, 4, 64, {{"quadratic", 26.1}, {"recurrent", 86.1}, {"chunked-16", 103.0}, {"chunked-64", 65.9}, {"chunked-128", 66.4}, {"chunked-256", 66.2}, {"fused-64", 63.4}, {"fused-128", 63.5}}},
      {80, 2, 512, {{"quadratic", 420.0}, {"recurrent", 783.3}, {"chunked-16", 658.9}, {"chunked-64", 311.6}, {"chunked-128", 314.6}, {"chunked-256", 366.5}, {"fused-64", 25.2}, {"fused-128", 22.4}}},
      {80, 4, 512, {{"quadratic", 322.3}, {"recurrent", 666.3}, {"chunked-16", 601.9}, {"chunked-64", 237.1}, {"chunked-128", 261.2}, {"chunked-256", 326.6}, {"fused-64", 475.1}, {"fused-128", 475.3}}},
      {80, 2, 2048, {{"quadratic", 7416.5}, {"recurrent", 3623.4}, {"chunked-16", 2491.7}, {"chunked-64", 1072.9}, {"chunked-128", 1166.5}, {"chunked-256", 1445.9}, {"fused-64", 102.0}, {"fused-128", 89.6}}},
      {80, 4, 2048, {{"quadratic", 4895.0}, {"recurrent", 2871.9}, {"chunked-16", 2273.0}, {"chunked-64", 825.5}, {"chunked-128", 874.6}, {"chunked-256", 1064.1}, {"fused-64", 1986.7}, {"fused-128", 1985.8}}},
  };
  for (const Point &pt : table) {
    Shape s = mamba27b(pt.l);
    s.h = pt.heads;
    s.elemBytes = pt.elemBytes;
    std::string where = "H " + std::to_string(pt.heads) + " " +
                        (pt.elemBytes == 2 ? "bf16" : "f32") + " L " + std::to_string(pt.l);
    for (bool fusedForm : {false, true}) {
      std::string pick;
      double pickModel = 1e300, best = 1e300, pickMeasured = 0;
      for (const auto &[name, us] : pt.us) {
        bool fused = name.rfind("fused-", 0) == 0;
        Shape f = s;
        std::string sched = name;
        if (fused) {
          sched = "chunked-" + name.substr(6);
          f.fusedChunks = {Schedule::parse(sched)->chunkSize};
        }
        double model = cudaKernelSeconds(f, *Schedule::parse(sched)) * 1e6;
        if (!fusedForm) {
          EXPECT_LT(model, 1.6 * us) << where << " " << name;
          EXPECT_GT(model, us / 1.6) << where << " " << name;
        }
        bool candidate = fusedForm ? (fused || name == "chunked-16" || name == "chunked-256" ||
                                      name.rfind("chunked-", 0) != 0)
                                   : !fused;
        if (!candidate)
          continue;
        if (model < pickModel) {
          pickModel = model;
          pick = name;
          pickMeasured = us;
        }
        best = std::min(best, us);
      }
      EXPECT_LE(pickMeasured, 1.25 * best)
          << where << (fusedForm ? " (fused form)" : "") << ": the model picks " << pick;
    }
  }
}

// estimateAll prices cuda-sm90 by the kernel model.
TEST(CostModel, CudaEstimatesAreTheKernelModel) {
  Shape s = mamba27b(512);
  for (const Estimate &e : estimateAll(s, h100(), {64, 256}))
    EXPECT_DOUBLE_EQ(e.seconds, cudaKernelSeconds(s, e.schedule)) << e.schedule.str();
}

TEST(CostModel, QuadraticGrowsQuadraticallyChunkedLinearly) {
  Target t = h100();
  double q1 = seconds(quadraticWork(mamba27b(8192), t), t, 2);
  double q2 = seconds(quadraticWork(mamba27b(16384), t), t, 2);
  double c1 = seconds(chunkedWork(mamba27b(8192), t, 256), t, 2);
  double c2 = seconds(chunkedWork(mamba27b(16384), t, 256), t, 2);
  EXPECT_NEAR(q2 / q1, 4.0, 0.1);
  EXPECT_NEAR(c2 / c1, 2.0, 0.1);
}

TEST(CostModel, ScheduleSpelling) {
  for (const char *s : {"recurrent", "quadratic", "chunked-64"})
    EXPECT_EQ(Schedule::parse(s)->str(), s);
  EXPECT_FALSE(Schedule::parse("chunked-0"));
  EXPECT_FALSE(Schedule::parse("chunked"));
  EXPECT_FALSE(Schedule::parse("blocked-64"));
  EXPECT_FALSE(lookupTarget("tpu"));
  EXPECT_FALSE(lookupTarget("cpu")->provisional);
  EXPECT_TRUE(lookupTarget("cpu")->fit.has_value());
}

// The CPU target's fitted model against the kernels' measured times (µs,
// docs/perf/cpu_crossovers.md, this machine's table (minimum of 20 runs per
// point); P 64, N 128, G 1, batch
// 1 with b·h heads). At every point with L >= 16 the schedule the model picks
// must be within 1.25x of the measured fastest one.
TEST(CostModel, CpuFitPicksNearTheMeasuredFastest) {
  struct Point {
    int64_t heads, l;
    std::vector<std::pair<std::string, double>> us;
  };
  std::vector<Point> table = {
      {1, 16, {{"recurrent", 49.6}, {"quadratic", 28.9}, {"chunked-16", 41.7}, {"chunked-32", 49.5}}},
      {1, 64, {{"recurrent", 190}, {"quadratic", 93.5}, {"chunked-16", 96.5}, {"chunked-32", 90.5}, {"chunked-64", 93.7}, {"chunked-128", 167}}},
      {1, 256, {{"recurrent", 741}, {"quadratic", 588}, {"chunked-16", 351}, {"chunked-32", 324}, {"chunked-64", 334}, {"chunked-128", 425}, {"chunked-256", 769}}},
      {1, 1024, {{"recurrent", 3407}, {"quadratic", 7346}, {"chunked-16", 1496}, {"chunked-32", 1253}, {"chunked-64", 1418}, {"chunked-128", 2114}, {"chunked-256", 3061}}},
      {1, 4096, {{"recurrent", 11728}, {"quadratic", 128072}, {"chunked-16", 6747}, {"chunked-32", 6867}, {"chunked-64", 6007}, {"chunked-128", 8024}, {"chunked-256", 12130}}},
      {8, 16, {{"recurrent", 253}, {"quadratic", 167}, {"chunked-16", 237}, {"chunked-32", 303}}},
      {8, 64, {{"recurrent", 856}, {"quadratic", 483}, {"chunked-16", 645}, {"chunked-32", 474}, {"chunked-64", 447}, {"chunked-128", 710}}},
      {8, 256, {{"recurrent", 3593}, {"quadratic", 2647}, {"chunked-16", 2255}, {"chunked-32", 1601}, {"chunked-64", 1621}, {"chunked-128", 2146}, {"chunked-256", 2831}}},
      {8, 1024, {{"recurrent", 14460}, {"quadratic", 25275}, {"chunked-16", 13494}, {"chunked-32", 8595}, {"chunked-64", 7949}, {"chunked-128", 8686}, {"chunked-256", 11058}}},
      {8, 4096, {{"recurrent", 75194}, {"chunked-16", 52392}, {"chunked-32", 39339}, {"chunked-64", 34532}, {"chunked-128", 40304}, {"chunked-256", 45405}}},
      {32, 16, {{"recurrent", 1182}, {"quadratic", 530}, {"chunked-16", 974}, {"chunked-32", 966}}},
      {32, 64, {{"recurrent", 3628}, {"quadratic", 1488}, {"chunked-16", 2426}, {"chunked-32", 1950}, {"chunked-64", 2230}, {"chunked-128", 3020}}},
      {32, 256, {{"recurrent", 14909}, {"quadratic", 7665}, {"chunked-16", 11400}, {"chunked-32", 7575}, {"chunked-64", 7249}, {"chunked-128", 7238}, {"chunked-256", 9596}}},
      {32, 1024, {{"recurrent", 105701}, {"quadratic", 73291}, {"chunked-16", 44747}, {"chunked-32", 33583}, {"chunked-64", 31499}, {"chunked-128", 30796}, {"chunked-256", 38167}}},
      {32, 4096, {{"recurrent", 453326}, {"chunked-16", 207789}, {"chunked-32", 135453}, {"chunked-64", 126705}, {"chunked-128", 146019}, {"chunked-256", 168269}}},
  };
  Target cpu = *lookupTarget("cpu");
  for (const Point &pt : table) {
    Shape s;
    s.b = 1;
    s.h = pt.heads;
    s.l = pt.l;
    s.p = 64;
    s.n = 128;
    s.g = 1;
    s.elemBytes = 4;
    std::string pick;
    double pickModel = 1e300, best = 1e300, pickMeasured = 0;
    for (const auto &[name, us] : pt.us) {
      double model = fittedSeconds(s, cpu, *Schedule::parse(name));
      if (model < pickModel) {
        pickModel = model;
        pick = name;
        pickMeasured = us;
      }
      best = std::min(best, us);
    }
    EXPECT_LE(pickMeasured, 1.25 * best)
        << "b·h " << pt.heads << " L " << pt.l << ": the model picks " << pick;
  }
}

} // namespace

namespace {

// The fused form (Q in Shape::fusedChunks): PERF.md's fused minimum of
// 4·H·P + 4·G·N + 2·H bytes per token (bf16) plus the final state, whatever
// Q is; one launch; C·Bᵀ per head (the kernel recomputes it per CTA).
TEST(CostModel, FusedChunkedBytesDoNotDependOnQ) {
  const double B = 1, L = 16384, H = 80, P = 64, N = 128, G = 1;
  Shape s = mamba27b(16384);
  s.fusedChunks = {64, 128};
  for (int64_t q : {64, 128}) {
    Work w = chunkedWork(s, h100(), q);
    double Q = static_cast<double>(q), f = (Q + 1) / (2 * Q);
    EXPECT_DOUBLE_EQ(w.bytes, (4 * H * P + 4 * G * N + 2 * H) * B * L + 4 * B * H * P * N)
        << "Q=" << q;
    EXPECT_DOUBLE_EQ(w.matmulFlops, 2 * B * L * H * Q * N + 4 * B * L * H * P * N +
                                        2 * B * L * H * Q * P * f);
    EXPECT_EQ(w.launches, 1);
  }
  // Q = 256 is not in fusedChunks: the four-kernel bytes (67 KB/token).
  Work staged = chunkedWork(s, h100(), 256);
  EXPECT_EQ(staged.launches, 4);
  EXPECT_NEAR((staged.bytes - 4.0 * H * P * N) / L / 1000, 67, 0.5);
  // At 16K tokens the fused kernel beats every staged chunk size.
  double fused = seconds(chunkedWork(s, h100(), 64), h100(), 2);
  for (int64_t q : {64, 128, 256})
    EXPECT_LT(fused, seconds(chunkedWork(mamba27b(16384), h100(), q), h100(), 2));
}

} // namespace
