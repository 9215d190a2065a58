// Causal depthwise conv1d kernels against the float64 reference: prefill with
// and without a window state and SiLU, the one-token step, and prefill(L) + k
// steps == prefill(L + k).
#include "numerics_util.h"
#include "ssdc/cpu_kernels.h"
#include "ssdc/reference.h"

#include <gtest/gtest.h>

using namespace ssdc;
using namespace ssdc::test;

namespace {

struct ConvCase {
  int b, l, c, k;
  bool init, silu;
  unsigned seed;
};

class Conv1dPrefill : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv1dPrefill, MatchesReference) {
  const ConvCase cc = GetParam();
  std::mt19937 rng(cc.seed);
  auto x = randomVec(rng, size_t(cc.b) * cc.l * cc.c, -1, 1);
  auto w = randomVec(rng, size_t(cc.c) * cc.k, -1, 1);
  auto bias = randomVec(rng, cc.c, -1, 1);
  auto init = randomVec(rng, size_t(cc.b) * cc.c * cc.k, -1, 1);
  auto out = nanVec(x.size()), fin = nanVec(init.size());
  ASSERT_EQ(cpu::conv1d(cc.b, cc.l, cc.c, cc.k, x.data(), w.data(), bias.data(),
                        cc.init ? init.data() : nullptr, cc.silu, out.data(),
                        fin.data()),
            0);
  auto xd = toDouble(x), wd = toDouble(w), bd = toDouble(bias),
       id = toDouble(init);
  std::vector<double> ro(x.size()), rf(init.size());
  ref::conv1d(cc.b, cc.l, cc.c, cc.k, xd.data(), wd.data(), bd.data(),
              cc.init ? id.data() : nullptr, cc.silu, ro.data(), rf.data());
  EXPECT_LE(relErr(out, ro), kFp32Tol);
  EXPECT_LE(relErr(fin, rf), kFp32Tol);
}

INSTANTIATE_TEST_SUITE_P(Cases, Conv1dPrefill,
                         ::testing::Values(ConvCase{1, 1, 8, 4, true, true, 401},
                                           ConvCase{2, 3, 19, 4, true, false, 402},
                                           ConvCase{2, 100, 40, 4, false, true, 403},
                                           ConvCase{1, 257, 33, 3, true, true, 404},
                                           ConvCase{3, 64, 16, 2, true, false, 405}));

TEST(Conv1dRandom, Shapes) {
  std::mt19937 shapes(420);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(shapes);
  };
  for (int i = 0; i < 30; ++i) {
    const int b = pick(1, 3), l = pick(1, 90), c = pick(1, 50), k = pick(1, 5);
    const bool init = pick(0, 1), silu = pick(0, 1);
    std::mt19937 rng(430 + i);
    auto x = randomVec(rng, size_t(b) * l * c, -1, 1);
    auto w = randomVec(rng, size_t(c) * k, -1, 1);
    auto bias = randomVec(rng, c, -1, 1);
    auto st = randomVec(rng, size_t(b) * c * k, -1, 1);
    auto out = nanVec(x.size()), fin = nanVec(st.size());
    ASSERT_EQ(cpu::conv1d(b, l, c, k, x.data(), w.data(), bias.data(),
                          init ? st.data() : nullptr, silu, out.data(),
                          fin.data()),
              0);
    auto xd = toDouble(x), wd = toDouble(w), bd = toDouble(bias),
         sd = toDouble(st);
    std::vector<double> ro(x.size()), rf(st.size());
    ref::conv1d(b, l, c, k, xd.data(), wd.data(), bd.data(),
                init ? sd.data() : nullptr, silu, ro.data(), rf.data());
    EXPECT_LE(relErr(out, ro), kFp32Tol) << "b" << b << " l" << l << " c" << c << " k" << k;
    EXPECT_LE(relErr(fin, rf), kFp32Tol) << "b" << b << " l" << l << " c" << c << " k" << k;
  }
}

TEST(Conv1dStep, PrefillThenStepsEqualsLongerPrefill) {
  const int b = 2, c = 21, k = 4, l = 30, steps = 5, total = l + steps;
  std::mt19937 rng(410);
  auto x = randomVec(rng, size_t(b) * total * c, -1, 1);
  auto w = randomVec(rng, size_t(c) * k, -1, 1);
  auto bias = randomVec(rng, c, -1, 1);
  auto init = randomVec(rng, size_t(b) * c * k, -1, 1);
  // Reference: one prefill over all tokens.
  auto xd = toDouble(x), wd = toDouble(w), bd = toDouble(bias),
       id = toDouble(init);
  std::vector<double> ro(x.size()), rf(init.size());
  ref::conv1d(b, total, c, k, xd.data(), wd.data(), bd.data(), id.data(), true,
              ro.data(), rf.data());
  // Kernel: prefill l tokens, then single steps.
  std::vector<float> xp;
  for (int bi = 0; bi < b; ++bi)
    xp.insert(xp.end(), x.begin() + size_t(bi) * total * c,
              x.begin() + (size_t(bi) * total + l) * c);
  auto out = nanVec(xp.size()), state = nanVec(init.size());
  ASSERT_EQ(cpu::conv1d(b, l, c, k, xp.data(), w.data(), bias.data(),
                        init.data(), true, out.data(), state.data()),
            0);
  std::vector<float> got;
  std::vector<double> want;
  for (int t = l; t < total; ++t) {
    std::vector<float> xt;
    for (int bi = 0; bi < b; ++bi)
      xt.insert(xt.end(), x.begin() + (size_t(bi) * total + t) * c,
                x.begin() + (size_t(bi) * total + t + 1) * c);
    auto o = nanVec(size_t(b) * c);
    ASSERT_EQ(cpu::conv1dStep(b, c, k, xt.data(), w.data(), bias.data(), true,
                              state.data(), o.data()),
              0);
    got.insert(got.end(), o.begin(), o.end());
    for (int bi = 0; bi < b; ++bi)
      want.insert(want.end(), ro.begin() + (size_t(bi) * total + t) * c,
                  ro.begin() + (size_t(bi) * total + t + 1) * c);
  }
  EXPECT_LE(relErr(got, want), kFp32Tol);
  EXPECT_LE(relErr(state, rf), kFp32Tol);
}

TEST(Conv1dStep, MatchesReferenceStep) {
  const int b = 3, c = 37, k = 4;
  std::mt19937 rng(411);
  auto x = randomVec(rng, size_t(b) * c, -1, 1);
  auto w = randomVec(rng, size_t(c) * k, -1, 1);
  auto state = randomVec(rng, size_t(b) * c * k, -1, 1);
  auto xd = toDouble(x), wd = toDouble(w), sd = toDouble(state);
  std::vector<double> ro(x.size());
  ref::conv1dStep(b, c, k, xd.data(), wd.data(), nullptr, false, sd.data(),
                  ro.data());
  auto out = nanVec(x.size());
  ASSERT_EQ(cpu::conv1dStep(b, c, k, x.data(), w.data(), nullptr, false,
                            state.data(), out.data()),
            0);
  EXPECT_LE(relErr(out, ro), kFp32Tol);
  EXPECT_LE(relErr(state, sd), kFp32Tol);
}

} // namespace
