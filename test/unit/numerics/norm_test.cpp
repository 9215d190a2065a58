// RMSNorm kernels against the float64 reference: grouped gated RMSNorm with
// G > 1 and G = 1, norm_before_gate true and false, no gate; RMSNorm with a
// residual add (with and without an incoming residual).
#include "numerics_util.h"
#include "ssdc/cpu_kernels.h"
#include "ssdc/reference.h"

#include <gtest/gtest.h>

using namespace ssdc;
using namespace ssdc::test;

namespace {

struct GatedCase {
  int rows, d, groupSize;
  bool normBeforeGate, gate;
  unsigned seed;
};

class RmsnormGated : public ::testing::TestWithParam<GatedCase> {};

TEST_P(RmsnormGated, MatchesReference) {
  const GatedCase gc = GetParam();
  std::mt19937 rng(gc.seed);
  auto x = randomVec(rng, size_t(gc.rows) * gc.d, -2, 2);
  auto z = randomVec(rng, x.size(), -3, 3);
  auto w = randomVec(rng, gc.d, 0.5f, 1.5f);
  // Give groups different scales so a wrong group size is caught.
  for (size_t i = 0; i < x.size(); ++i)
    x[i] *= 1.0f + float((i % gc.d) / gc.groupSize);
  auto out = nanVec(x.size());
  ASSERT_EQ(cpu::rmsnormGated(gc.rows, gc.d, gc.groupSize, 1e-5f,
                              gc.normBeforeGate, x.data(),
                              gc.gate ? z.data() : nullptr, w.data(),
                              out.data()),
            0);
  auto xd = toDouble(x), zd = toDouble(z), wd = toDouble(w);
  std::vector<double> ro(x.size());
  ref::rmsnormGated(gc.rows, gc.d, gc.groupSize, 1e-5, gc.normBeforeGate,
                    xd.data(), gc.gate ? zd.data() : nullptr, wd.data(),
                    ro.data());
  EXPECT_LE(relErr(out, ro), kFp32Tol);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RmsnormGated,
    ::testing::Values(GatedCase{5, 64, 16, false, true, 501},  // G = 4
                      GatedCase{5, 64, 16, true, true, 502},
                      GatedCase{3, 96, 96, false, true, 503},  // G = 1
                      GatedCase{3, 96, 96, true, true, 504},
                      GatedCase{7, 60, 20, false, false, 505}, // no gate
                      GatedCase{2, 1024, 128, false, true, 506},
                      GatedCase{1, 36, 12, true, true, 507}));

TEST(RmsnormGatedRandom, ShapesAndSettings) {
  std::mt19937 rng(520);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  for (int i = 0; i < 40; ++i) {
    const int groupSize = pick(1, 70), groups = pick(1, 5), rows = pick(1, 9);
    const int d = groupSize * groups;
    const bool nbg = pick(0, 1), gate = pick(0, 3) != 0;
    auto x = randomVec(rng, size_t(rows) * d, -2, 2);
    auto z = randomVec(rng, x.size(), -3, 3);
    auto w = randomVec(rng, d, 0.5f, 1.5f);
    auto out = nanVec(x.size());
    ASSERT_EQ(cpu::rmsnormGated(rows, d, groupSize, 1e-5f, nbg, x.data(),
                                gate ? z.data() : nullptr, w.data(), out.data()),
              0);
    auto xd = toDouble(x), zd = toDouble(z), wd = toDouble(w);
    std::vector<double> ro(x.size());
    ref::rmsnormGated(rows, d, groupSize, 1e-5, nbg, xd.data(),
                      gate ? zd.data() : nullptr, wd.data(), ro.data());
    EXPECT_LE(relErr(out, ro), kFp32Tol)
        << "rows " << rows << " d " << d << " group " << groupSize;
  }
}

TEST(RmsnormResidual, MatchesReference) {
  for (bool withResidual : {true, false}) {
    const int rows = 9, d = 77;
    std::mt19937 rng(withResidual ? 510 : 511);
    auto hid = randomVec(rng, size_t(rows) * d, -2, 2);
    auto res = randomVec(rng, hid.size(), -2, 2);
    auto w = randomVec(rng, d, 0.5f, 1.5f);
    auto out = nanVec(hid.size()), resOut = nanVec(hid.size());
    ASSERT_EQ(cpu::rmsnormResidual(rows, d, 1e-5f, hid.data(),
                                   withResidual ? res.data() : nullptr,
                                   w.data(), out.data(), resOut.data()),
              0);
    auto hd = toDouble(hid), rd = toDouble(res), wd = toDouble(w);
    std::vector<double> ro(hid.size()), rro(hid.size());
    ref::rmsnormResidual(rows, d, 1e-5, hd.data(),
                         withResidual ? rd.data() : nullptr, wd.data(),
                         ro.data(), rro.data());
    EXPECT_LE(relErr(out, ro), kFp32Tol);
    EXPECT_LE(relErr(resOut, rro), kFp32Tol);
  }
}

} // namespace
