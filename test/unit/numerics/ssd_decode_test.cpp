// SSD decode: the one-token step (state updated in place) against the float64
// reference step, and prefill(L) followed by k steps against prefill(L + k),
// for every prefill schedule.
#include "ssd_fixture.h"

#include <gtest/gtest.h>

using namespace ssdc::test;

namespace {

// Tokens [t0, t1) of a [b, l, inner] tensor.
std::vector<float> timeSlice(const std::vector<float> &v, int b, int l,
                             size_t inner, int t0, int t1) {
  std::vector<float> out;
  for (int bi = 0; bi < b; ++bi)
    out.insert(out.end(), v.begin() + (size_t(bi) * l + t0) * inner,
               v.begin() + (size_t(bi) * l + t1) * inner);
  return out;
}

TEST(SsdDecode, StepMatchesReferenceInPlace) {
  for (unsigned seed : {201u, 202u}) {
    SsdCase c{"step", 3, 1, 6, 10, 3, 12, 1, seed};
    SsdData d(c);
    SsdResult ref = runReference(d); // one token from init = one step
    std::vector<float> state = d.init, y = nanVec(d.ySize());
    ASSERT_EQ(ssdc::cpu::ssdDecodeStep(d.shape, d.dtp, d.x.data(), d.dt.data(),
                                       d.A.data(), d.B.data(), d.C.data(),
                                       d.D.data(), d.bias.data(), state.data(),
                                       y.data()),
              0);
    EXPECT_LE(relErrSliced(y, ref.y, [&](size_t i) { return d.ySlice(i); }),
              kFp32Tol);
    EXPECT_LE(relErrSliced(state, ref.state,
                           [&](size_t i) { return d.stateSlice(i); }),
              kFp32Tol);
  }
}

struct DecodeCase {
  int l, k, chunk;
  unsigned seed;
};

class SsdPrefillThenDecode : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(SsdPrefillThenDecode, EqualsLongerPrefill) {
  const DecodeCase dc = GetParam();
  const int b = 2, h = 4, p = 8, g = 2, n = 12, total = dc.l + dc.k;
  SsdData full(SsdCase{"full", b, total, h, p, g, n, dc.chunk, dc.seed});
  SsdResult ref = runReference(full);
  SsdOut fullChunked = runSchedule(full, Schedule::Chunked, dc.chunk);
  ASSERT_EQ(fullChunked.err, 0);

  // The prefix as its own problem (same inputs, first l tokens).
  SsdData pre = full;
  pre.shape.len = dc.l;
  pre.x = timeSlice(full.x, b, total, size_t(h) * p, 0, dc.l);
  pre.dt = timeSlice(full.dt, b, total, h, 0, dc.l);
  pre.B = timeSlice(full.B, b, total, size_t(g) * n, 0, dc.l);
  pre.C = timeSlice(full.C, b, total, size_t(g) * n, 0, dc.l);

  for (Schedule s : {Schedule::Recurrent, Schedule::Quadratic, Schedule::Chunked}) {
    SsdOut o = runSchedule(pre, s, dc.chunk);
    ASSERT_EQ(o.err, 0);
    std::vector<float> state = o.state;
    std::vector<double> yRef;
    std::vector<float> ySteps, yFull;
    for (int t = dc.l; t < total; ++t) {
      auto xt = timeSlice(full.x, b, total, size_t(h) * p, t, t + 1);
      auto dtt = timeSlice(full.dt, b, total, h, t, t + 1);
      auto Bt = timeSlice(full.B, b, total, size_t(g) * n, t, t + 1);
      auto Ct = timeSlice(full.C, b, total, size_t(g) * n, t, t + 1);
      std::vector<float> y = nanVec(size_t(b) * h * p);
      ASSERT_EQ(ssdc::cpu::ssdDecodeStep(full.shape, full.dtp, xt.data(),
                                         dtt.data(), full.A.data(), Bt.data(),
                                         Ct.data(), full.D.data(),
                                         full.bias.data(), state.data(),
                                         y.data()),
                0);
      ySteps.insert(ySteps.end(), y.begin(), y.end());
      for (int bi = 0; bi < b; ++bi)
        for (size_t i = 0; i < size_t(h) * p; ++i) {
          const size_t at = (size_t(bi) * total + t) * h * p + i;
          yRef.push_back(ref.y[at]);
          yFull.push_back(fullChunked.y[at]);
        }
    }
    // ySteps is ordered [t][b][h][p]: slice by (b, h).
    auto stepSlice = [&](size_t i) {
      return int64_t((i / (size_t(h) * p)) % b) * h + int64_t((i / p) % h);
    };
    auto sSlice = [&](size_t i) { return int64_t(i / (size_t(p) * n)); };
    EXPECT_LE(relErrSliced(ySteps, yRef, stepSlice), kFp32Tol) << scheduleName(s);
    EXPECT_LE(relErrSliced(ySteps, yFull, stepSlice), kFp32Tol) << scheduleName(s);
    EXPECT_LE(relErrSliced(state, ref.state, sSlice), kFp32Tol) << scheduleName(s);
    EXPECT_LE(relErrSliced(state, fullChunked.state, sSlice), kFp32Tol)
        << scheduleName(s);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SsdPrefillThenDecode,
                         ::testing::Values(DecodeCase{1, 5, 16, 301},
                                           DecodeCase{40, 8, 16, 302},
                                           DecodeCase{64, 3, 64, 303},
                                           DecodeCase{97, 6, 32, 304},
                                           // long generation: errors of the
                                           // step must not compound
                                           DecodeCase{3, 2000, 64, 305}));

} // namespace
