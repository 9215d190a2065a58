// Sampler: greedy, temperature, top-k, top-p, seeds. Expected frequencies are
// the softmax probabilities computed here by hand (0.5 / 0.3 / 0.2).
#include "runtime/core/Error.h"
#include "runtime/gen/Sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace ssdc::rt;

namespace {

std::vector<float> logitsOf(std::vector<double> probs) {
  std::vector<float> l;
  for (double p : probs)
    l.push_back(static_cast<float>(std::log(p)));
  return l;
}

std::vector<double> frequencies(SamplingOptions o, const std::vector<float> &l,
                                int draws) {
  Sampler s(o);
  std::vector<double> f(l.size(), 0);
  for (int i = 0; i < draws; ++i)
    f[s.next(l.data(), l.size())] += 1;
  for (double &v : f)
    v /= draws;  // counts first: an exact 1.0 when every draw is the same id
  return f;
}

TEST(Sampler, GreedyIsArgmaxLowestIdOnTies) {
  Sampler s(SamplingOptions{});
  std::vector<float> l{0.1f, 3.0f, -1.0f, 3.0f};
  EXPECT_EQ(s.next(l.data(), l.size()), 1);
}

TEST(Sampler, TemperatureOneFollowsTheSoftmax) {
  SamplingOptions o;
  o.temperature = 1.0;
  o.seed = 7;
  std::vector<double> f = frequencies(o, logitsOf({0.2, 0.5, 0.3}), 40000);
  EXPECT_NEAR(f[0], 0.2, 0.015);
  EXPECT_NEAR(f[1], 0.5, 0.015);
  EXPECT_NEAR(f[2], 0.3, 0.015);
}

TEST(Sampler, TopKRenormalisesOverTheKBest) {
  SamplingOptions o;
  o.temperature = 1.0;
  o.topK = 2;
  o.seed = 3;
  // Keeps 0.5 and 0.3: 0.625 / 0.375.
  std::vector<double> f = frequencies(o, logitsOf({0.2, 0.5, 0.3}), 40000);
  EXPECT_EQ(f[0], 0.0);
  EXPECT_NEAR(f[1], 0.625, 0.015);
  EXPECT_NEAR(f[2], 0.375, 0.015);
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
  SamplingOptions o;
  o.temperature = 1.0;
  o.topP = 0.75;  // 0.5 < 0.75 <= 0.5 + 0.3
  o.seed = 11;
  std::vector<double> f = frequencies(o, logitsOf({0.2, 0.5, 0.3}), 40000);
  EXPECT_EQ(f[0], 0.0);
  EXPECT_NEAR(f[1], 0.625, 0.015);
  o.topP = 0.4;  // the best alone
  f = frequencies(o, logitsOf({0.2, 0.5, 0.3}), 1000);
  EXPECT_EQ(f[1], 1.0);
}

TEST(Sampler, LowTemperatureSharpensHighFlattens) {
  SamplingOptions o;
  o.temperature = 0.5;  // p^2 normalised: 0.04, 0.25, 0.09 → 0.105, 0.658, 0.237
  o.seed = 5;
  std::vector<double> f = frequencies(o, logitsOf({0.2, 0.5, 0.3}), 40000);
  EXPECT_NEAR(f[1], 0.25 / 0.38, 0.015);
  EXPECT_NEAR(f[0], 0.04 / 0.38, 0.015);
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
  SamplingOptions o;
  o.temperature = 1.0;
  o.seed = 42;
  std::vector<float> l = logitsOf({0.25, 0.25, 0.25, 0.25});
  Sampler a(o), b(o);
  o.seed = 43;
  Sampler c(o);
  std::vector<int64_t> x, y, z;
  for (int i = 0; i < 64; ++i) {
    x.push_back(a.next(l.data(), 4));
    y.push_back(b.next(l.data(), 4));
    z.push_back(c.next(l.data(), 4));
  }
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(Sampler, NonFiniteLogitsStop) {
  Sampler s(SamplingOptions{});
  std::vector<float> l{0.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THROW(s.next(l.data(), 2), RuntimeError);
}

} // namespace
