// SiLU, softplus (including the log1p region and the > 20 threshold) and the
// embedding lookup against the float64 reference.
#include "numerics_util.h"
#include "ssdc/cpu_kernels.h"
#include "ssdc/reference.h"

#include <gtest/gtest.h>

using namespace ssdc;
using namespace ssdc::test;

namespace {

TEST(Elementwise, Silu) {
  std::mt19937 rng(601);
  auto x = randomVec(rng, 10007, -30, 30);
  auto out = nanVec(x.size());
  ASSERT_EQ(cpu::silu(int64_t(x.size()), x.data(), out.data()), 0);
  auto xd = toDouble(x);
  std::vector<double> ro(x.size());
  ref::siluN(int64_t(x.size()), xd.data(), ro.data());
  EXPECT_LE(relErr(out, ro), kFp32Tol);
}

TEST(Elementwise, SoftplusPerElement) {
  // Softplus feeds dt, so check it per element (relative), not only in max norm.
  std::mt19937 rng(602);
  auto x = randomVec(rng, 20011, -16, 30);
  auto out = nanVec(x.size());
  ASSERT_EQ(cpu::softplus(int64_t(x.size()), x.data(), out.data()), 0);
  double worst = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = ref::softplus(double(x[i]));
    ASSERT_TRUE(std::isfinite(out[i]));
    worst = std::max(worst, std::fabs(out[i] - r) / r);
  }
  EXPECT_LE(worst, kFp32Tol);
}

TEST(Elementwise, Embedding) {
  const int rows = 13, d = 33, vocab = 50;
  std::mt19937 rng(603);
  auto table = randomVec(rng, size_t(vocab) * d, -1, 1);
  std::vector<int32_t> ids(rows);
  std::uniform_int_distribution<int> pick(0, vocab - 1);
  for (auto &id : ids)
    id = pick(rng);
  ids[3] = vocab; // out of range -> zeros
  ids[5] = -1;
  auto out = nanVec(size_t(rows) * d);
  ASSERT_EQ(cpu::embedding(rows, d, vocab, ids.data(), table.data(), out.data()),
            0);
  auto td = toDouble(table);
  std::vector<double> ro(out.size());
  ref::embedding(rows, d, vocab, ids.data(), td.data(), ro.data());
  EXPECT_EQ(relErr(out, ro), 0.0);
}

} // namespace
