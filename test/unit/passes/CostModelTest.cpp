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

/// docs/passes.md: on cuda-sm90 at mamba2-2.7b shapes (bf16, batch 1) the
/// model is quadratic up to kCrossover tokens and chunked-256 above.
constexpr int64_t kCrossover = 2737;

TEST(CostModel, CudaCrossoverQuadraticToChunked) {
  Target t = h100();
  auto pick = [&](int64_t l) {
    Shape s = mamba27b(l);
    return choose(s, estimateAll(s, t, {32, 64, 128, 256})).schedule;
  };
  EXPECT_EQ(pick(64).kind, Kind::Quadratic);
  EXPECT_EQ(pick(kCrossover).kind, Kind::Quadratic);
  Schedule above = pick(kCrossover + 1);
  EXPECT_EQ(above.kind, Kind::Chunked);
  EXPECT_EQ(above.chunkSize, 256);
  EXPECT_EQ(pick(16384).chunkSize, 256);
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
