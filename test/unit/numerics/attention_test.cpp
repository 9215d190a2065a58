// Causal softmax attention with GQA and RoPE against the float64 reference:
// MHA and GQA, full and partial rotary dims, a position offset.
#include "numerics_util.h"
#include "ssdc/cpu_kernels.h"
#include "ssdc/reference.h"

#include <gtest/gtest.h>

using namespace ssdc;
using namespace ssdc::test;

namespace {

struct AttnCase {
  int b, l, hq, hkv, d, rot, pos0;
  unsigned seed;
};

class Attention : public ::testing::TestWithParam<AttnCase> {};

TEST_P(Attention, MatchesReference) {
  const AttnCase a = GetParam();
  std::mt19937 rng(a.seed);
  auto q = randomVec(rng, size_t(a.b) * a.l * a.hq * a.d, -1, 1);
  auto k = randomVec(rng, size_t(a.b) * a.l * a.hkv * a.d, -1, 1);
  auto v = randomVec(rng, k.size(), -1, 1);
  auto out = nanVec(q.size());
  ASSERT_EQ(cpu::attention(a.b, a.l, a.hq, a.hkv, a.d, a.rot, 10000.0f, a.pos0,
                           q.data(), k.data(), v.data(), out.data()),
            0);
  auto qd = toDouble(q), kd = toDouble(k), vd = toDouble(v);
  std::vector<double> ro(q.size());
  ref::attention(a.b, a.l, a.hq, a.hkv, a.d, a.rot, 10000.0, a.pos0, qd.data(),
                 kd.data(), vd.data(), ro.data());
  EXPECT_LE(relErr(out, ro), kFp32Tol);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Attention,
    ::testing::Values(AttnCase{1, 1, 2, 2, 16, 16, 0, 701},
                      AttnCase{2, 33, 4, 4, 16, 8, 0, 702},   // MHA, partial
                      AttnCase{1, 70, 6, 2, 32, 16, 0, 703},  // GQA 3:1
                      AttnCase{1, 40, 8, 1, 24, 24, 1000, 704}, // MQA, offset
                      AttnCase{2, 17, 4, 2, 12, 0, 0, 705}));  // no rotary

TEST(AttentionRandom, Shapes) {
  std::mt19937 shapes(720);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(shapes);
  };
  for (int i = 0; i < 20; ++i) {
    const int hkv = pick(1, 3), hq = hkv * pick(1, 3), d = pick(1, 40);
    const int rot = 2 * pick(0, d / 2);
    const AttnCase a{pick(1, 2), pick(1, 60), hq, hkv, d, rot, pick(0, 500),
                     730u + unsigned(i)};
    std::mt19937 rng(a.seed);
    auto q = randomVec(rng, size_t(a.b) * a.l * a.hq * a.d, -1, 1);
    auto k = randomVec(rng, size_t(a.b) * a.l * a.hkv * a.d, -1, 1);
    auto v = randomVec(rng, k.size(), -1, 1);
    auto out = nanVec(q.size());
    ASSERT_EQ(cpu::attention(a.b, a.l, a.hq, a.hkv, a.d, a.rot, 10000.0f,
                             a.pos0, q.data(), k.data(), v.data(), out.data()),
              0);
    auto qd = toDouble(q), kd = toDouble(k), vd = toDouble(v);
    std::vector<double> ro(q.size());
    ref::attention(a.b, a.l, a.hq, a.hkv, a.d, a.rot, 10000.0, a.pos0,
                   qd.data(), kd.data(), vd.data(), ro.data());
    EXPECT_LE(relErr(out, ro), kFp32Tol)
        << "b" << a.b << " l" << a.l << " hq" << a.hq << " hkv" << a.hkv
        << " d" << a.d << " rot" << a.rot;
  }
}

} // namespace
