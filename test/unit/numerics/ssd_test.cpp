// The three SSD schedules (recurrent, quadratic, chunked) against the float64
// reference and against each other, over the shape cases of issue 3: G = 1 and
// G > 1, P != N, L = 1, L < Q, L = Q, L not a multiple of Q, L = 4096, non-zero
// initial state, dt limits, decays dt*A from -1e-4 to -50.
#include "ssd_fixture.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace ssdc::test;

namespace {

class SsdSchedules : public ::testing::TestWithParam<SsdCase> {};

TEST_P(SsdSchedules, MatchReferenceAndEachOther) {
  const SsdCase &c = GetParam();
  SsdData d(c);
  SsdResult ref = runReference(d);
  auto ySlice = [&](size_t i) { return d.ySlice(i); };
  auto sSlice = [&](size_t i) { return d.stateSlice(i); };
  std::vector<SsdOut> outs;
  for (Schedule s : {Schedule::Recurrent, Schedule::Quadratic, Schedule::Chunked}) {
    SsdOut o = runSchedule(d, s, c.chunk);
    ASSERT_EQ(o.err, 0) << scheduleName(s);
    const double ey = relErrSliced(o.y, ref.y, ySlice);
    const double es = relErrSliced(o.state, ref.state, sSlice);
    std::printf("  %-9s relErr y %.2e  final state %.2e\n", scheduleName(s), ey,
                es);
    EXPECT_LE(ey, kFp32Tol) << scheduleName(s) << " y";
    EXPECT_LE(es, kFp32Tol) << scheduleName(s) << " final state";
    outs.push_back(std::move(o));
  }
  for (size_t i = 0; i < outs.size(); ++i)
    for (size_t j = i + 1; j < outs.size(); ++j) {
      EXPECT_LE(relErrSliced(outs[i].y, outs[j].y, ySlice), kFp32Tol)
          << "y: schedule " << i << " vs " << j;
      EXPECT_LE(relErrSliced(outs[i].state, outs[j].state, sSlice), kFp32Tol)
          << "state: schedule " << i << " vs " << j;
    }
}

const SsdCase kCases[] = {
    // name, b, l, h, p, g, n, chunk, seed
    {"L1_G1", 1, 1, 2, 8, 1, 16, 64, 101},
    {"L1_G2_batch2", 2, 1, 4, 6, 2, 5, 16, 102},
    {"LltQ_G2_PneN", 1, 37, 4, 12, 2, 8, 64, 103},
    {"LeqQ_G1", 1, 64, 3, 16, 1, 32, 64, 104},
    {"LnotMultQ_G2", 2, 150, 4, 16, 2, 24, 64, 105},
    {"LnotMultQ_G4_odd", 1, 77, 8, 5, 4, 7, 10, 106},
    {"noInitState", 1, 50, 4, 8, 2, 8, 16, 107, false},
    {"dtLimits", 1, 90, 4, 8, 2, 16, 32, 108, true, true, 0.55f, 0.8f},
    {"noSoftplus", 1, 70, 4, 8, 1, 8, 32, 109, true, false},
    {"Q1", 1, 20, 2, 4, 1, 4, 1, 110},
    {"QgtL", 1, 40, 2, 4, 2, 4, 128, 111},
    {"L4096_G2", 1, 4096, 4, 8, 2, 16, 64, 112},
    {"L4096_G1_Q256", 1, 4096, 2, 16, 1, 8, 256, 113},
    {"mamba2Head_P64_N128", 1, 300, 4, 64, 1, 128, 128, 114},
};

INSTANTIATE_TEST_SUITE_P(Cases, SsdSchedules, ::testing::ValuesIn(kCases),
                         [](const auto &info) { return info.param.name; });

// Chunked at several chunk sizes on one shape, each against the reference.
TEST(SsdChunked, ChunkSizes) {
  SsdCase c{"chunks", 2, 300, 4, 8, 2, 16, 0, 120};
  for (int q : {7, 32, 64, 128, 300, 512}) {
    c.seed += 1;
    SsdData d(c);
    SsdResult ref = runReference(d);
    SsdOut o = runSchedule(d, Schedule::Chunked, q);
    ASSERT_EQ(o.err, 0);
    EXPECT_LE(relErrSliced(o.y, ref.y, [&](size_t i) { return d.ySlice(i); }),
              kFp32Tol) << "Q=" << q;
    EXPECT_LE(relErrSliced(o.state, ref.state,
                           [&](size_t i) { return d.stateSlice(i); }),
              kFp32Tol) << "Q=" << q;
  }
}

// Random shapes (P, N across and between tile sizes, so both the register-tiled
// and the guarded schedules run, including partial tiles), every schedule
// against the reference.
TEST(SsdSchedules, RandomShapes) {
  std::mt19937 shapeRng(140);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(shapeRng);
  };
  for (int i = 0; i < 100; ++i) {
    const int g = pick(1, 3), h = g * pick(1, 3);
    SsdCase c{"random", pick(1, 2), pick(1, 300), h, pick(1, 40), g,
              pick(1, 40), pick(1, 80), 150u + unsigned(i)};
    SsdData d(c);
    SsdResult ref = runReference(d);
    for (Schedule s : {Schedule::Recurrent, Schedule::Quadratic, Schedule::Chunked}) {
      SsdOut o = runSchedule(d, s, c.chunk);
      ASSERT_EQ(o.err, 0);
      EXPECT_LE(relErrSliced(o.y, ref.y, [&](size_t k) { return d.ySlice(k); }),
                kFp32Tol)
          << scheduleName(s) << " b" << c.b << " l" << c.l << " h" << c.h
          << " p" << c.p << " g" << c.g << " n" << c.n << " Q" << c.chunk;
      EXPECT_LE(relErrSliced(o.state, ref.state,
                             [&](size_t k) { return d.stateSlice(k); }),
                kFp32Tol)
          << scheduleName(s) << " b" << c.b << " l" << c.l << " h" << c.h
          << " p" << c.p << " g" << c.g << " n" << c.n << " Q" << c.chunk;
    }
  }
}

TEST(SsdErrors, RejectsBadShapes) {
  SsdCase c{"bad", 1, 8, 4, 4, 2, 4, 4, 130};
  SsdData d(c);
  EXPECT_NE(runSchedule(d, Schedule::Chunked, 0).err, 0); // chunk 0
  d.shape.groups = 3;                                     // 4 % 3 != 0
  for (Schedule s : {Schedule::Recurrent, Schedule::Quadratic, Schedule::Chunked})
    EXPECT_NE(runSchedule(d, s, 4).err, 0) << scheduleName(s);
}

} // namespace
