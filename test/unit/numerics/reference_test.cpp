// Checks of the float64 reference itself against independent formulations:
// the SSD scan against the matrix form y = M (dt x) (REFERENCE.md) in double,
// and a conv1d prefill with state against zero-padding by hand.
#include "numerics_util.h"
#include "ssdc/reference.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ssdc;
using namespace ssdc::test;

namespace {

TEST(Reference, SsdScanEqualsMatrixForm) {
  const int L = 23, H = 4, P = 3, G = 2, N = 5;
  std::mt19937 rng(801);
  auto x = toDouble(randomVec(rng, size_t(L) * H * P, -1, 1));
  auto dt = toDouble(randomVec(rng, size_t(L) * H, -1, 1));
  auto A = toDouble(randomVec(rng, H, -2, -0.1f));
  auto B = toDouble(randomVec(rng, size_t(L) * G * N, -1, 1));
  auto C = toDouble(randomVec(rng, size_t(L) * G * N, -1, 1));
  auto D = toDouble(randomVec(rng, H, -1, 1));
  ref::SsdShape s{1, L, H, P, G, N};
  ref::DtParams p;
  std::vector<double> y(size_t(L) * H * P), st(size_t(H) * P * N);
  ref::ssd(s, p, x.data(), dt.data(), A.data(), B.data(), C.data(), D.data(),
           nullptr, nullptr, y.data(), st.data());
  double worst = 0.0;
  for (int h = 0; h < H; ++h) {
    const int g = h / (H / G);
    for (int i = 0; i < L; ++i)
      for (int pp = 0; pp < P; ++pp) {
        double acc = D[h] * x[(i * H + h) * P + pp];
        for (int j = 0; j <= i; ++j) {
          double seg = 0.0; // sum_{k=j+1..i} dt_k A
          for (int k = j + 1; k <= i; ++k)
            seg += ref::softplus(dt[k * H + h]) * A[h];
          double cb = 0.0;
          for (int n = 0; n < N; ++n)
            cb += C[(i * G + g) * N + n] * B[(j * G + g) * N + n];
          acc += cb * std::exp(seg) * ref::softplus(dt[j * H + h]) *
                 x[(j * H + h) * P + pp];
        }
        worst = std::max(worst, std::fabs(acc - y[(i * H + h) * P + pp]));
      }
  }
  EXPECT_LE(worst, 1e-12);
}

TEST(Reference, Conv1dStateIsHistory) {
  // conv1d(x2 | state = last K of x1) == tail of conv1d(x1 ++ x2).
  const int C = 3, K = 4, L1 = 6, L2 = 5;
  std::mt19937 rng(802);
  auto x = toDouble(randomVec(rng, size_t(L1 + L2) * C, -1, 1));
  auto w = toDouble(randomVec(rng, size_t(C) * K, -1, 1));
  std::vector<double> full((L1 + L2) * C), st(C * K), part(L2 * C);
  ref::conv1d(1, L1 + L2, C, K, x.data(), w.data(), nullptr, nullptr, false,
              full.data(), nullptr);
  std::vector<double> out1(L1 * C);
  ref::conv1d(1, L1, C, K, x.data(), w.data(), nullptr, nullptr, false,
              out1.data(), st.data());
  ref::conv1d(1, L2, C, K, x.data() + L1 * C, w.data(), nullptr, st.data(),
              false, part.data(), nullptr);
  for (int i = 0; i < L2 * C; ++i)
    EXPECT_NEAR(part[i], full[L1 * C + i], 1e-14);
}

} // namespace
