// Halide expression helpers shared by the ssdc CPU generators: fp32 softplus
// with an accurate log1p, dt processing (bias, softplus, clamp) and the
// double-float cumulative sum step used for SSD log-decays.
//
// Decays are always exp(cum_i - cum_j) on a difference clamped <= 0. The cumsum
// is carried as an unevaluated pair hi + lo (TwoSum, under strict_float so the
// simplifier cannot cancel it): a plain fp32 cumsum of thousands of steps loses
// the low bits that a short-range difference needs.
#ifndef SSDC_CODEGEN_CPU_COMMON_H
#define SSDC_CODEGEN_CPU_COMMON_H

#include "Halide.h"

namespace ssdc {
namespace cpu_gen {

/// exp(x) for x <= 0, vectorisable (Halide's exp calls scalar libm expf):
/// x = k ln2 + r with a two-constant (Cody-Waite) ln2 under strict_float,
/// |r| <= ln2/2, a degree-7 Taylor polynomial (truncation < 6e-9 relative),
/// then 2^k through the exponent bits. Below -87 (subnormal range) it is 0.
inline Halide::Expr expNonPositive(Halide::Expr x) {
  using namespace Halide;
  Expr xc = max(x, -87.0f);
  Expr k = round(xc * 1.44269504088896341f);
  Expr r = strict_float((xc - k * 0.693145751953125f) - k * 1.42860676533018e-06f);
  Expr poly = 1.0f / 5040.0f;
  float fact = 5040.0f;
  for (int i = 6; i >= 0; --i) {
    fact /= float(i + 1);
    poly = 1.0f / fact + r * poly; // coefficient 1/i!
  }
  Expr scale = reinterpret<float>((cast<int32_t>(k) + 127) << 23);
  return select(x < -87.0f, 0.0f, poly * scale);
}

/// log1p(u) for u in [0, inf): a degree-9 series below 0.125 (truncation
/// < 1e-9 relative), log(1 + u) above (rounding of 1 + u costs < 6e-7 there).
inline Halide::Expr log1pPositive(Halide::Expr u) {
  using Halide::Expr;
  Expr poly = 1.0f / 9.0f;
  for (int k = 8; k >= 1; --k)
    poly = (k % 2 ? 1.0f : -1.0f) / float(k) + u * poly;
  return Halide::select(u < 0.125f, u * poly, Halide::log(1.0f + u));
}

/// torch-style softplus: v for v > 20, else log1p(exp(v)).
inline Halide::Expr softplusF(Halide::Expr v) {
  Halide::Expr e = Halide::exp(Halide::min(v, 20.0f));
  return Halide::select(v > 20.0f, v, log1pPositive(e));
}

/// expm1(u) for u <= 0: a degree-8 series on (-0.5, 0] (truncation < 1e-8
/// relative), exp(u) - 1 below. Used where 1 - a must keep its low bits.
inline Halide::Expr expm1NonPositive(Halide::Expr u) {
  Halide::Expr poly = 1.0f / 40320.0f; // 1/8!
  float fact = 40320.0f;
  for (int k = 7; k >= 1; --k) {
    fact /= float(k + 1);
    poly = 1.0f / fact + u * poly; // coefficient 1/k!
  }
  return Halide::select(u > -0.5f, u * poly, expNonPositive(u) - 1.0f);
}

/// One decayed accumulation step s' = a s + add, given a = exp(u) and
/// aM1 = expm1(u) for the same u <= 0. For a near 1 (u > -0.5) it is
/// s + (aM1 s + add): a rounded to fp32 next to 1 would be off by up to 3e-8
/// per step, and that compounds. For small a it is a s + add: the expm1 form
/// would cancel s against -s and leave an error of eps |s| in a result that
/// can be far smaller than s.
inline Halide::Expr decayStep(Halide::Expr s, Halide::Expr a, Halide::Expr aM1,
                              Halide::Expr add) {
  return Halide::strict_float(Halide::select(aM1 > -0.39346934f, // u > -0.5
                                             s + (aM1 * s + add), a * s + add));
}

inline Halide::Expr siluF(Halide::Expr v) {
  return v / (1.0f + Halide::exp(-v));
}

/// dt = clamp(softplus?(raw + bias), dtMin, dtMax). dtMax must be finite
/// (callers pass FLT_MAX for "no limit").
inline Halide::Expr processDt(Halide::Expr raw, Halide::Expr bias,
                              Halide::Expr useSoftplus, Halide::Expr dtMin,
                              Halide::Expr dtMax) {
  Halide::Expr v = raw + bias;
  v = Halide::select(useSoftplus, softplusF(v), v);
  return Halide::clamp(v, dtMin, dtMax);
}

/// One step of a compensated sum: (hi, lo) + d -> (hi', lo'), exact TwoSum.
inline Halide::Tuple twoSumStep(Halide::Expr hi, Halide::Expr lo,
                                Halide::Expr d) {
  using Halide::Expr;
  using Halide::strict_float;
  Expr s = strict_float(hi + d);
  Expr bb = strict_float(s - hi);
  Expr err = strict_float((hi - (s - bb)) + (d - bb));
  return Halide::Tuple(s, lo + err);
}

/// exp(cum_i - cum_j) with cum as (hi, lo) pairs; the exponent is clamped <= 0.
inline Halide::Expr decayBetween(Halide::Expr hiI, Halide::Expr loI,
                                 Halide::Expr hiJ, Halide::Expr loJ) {
  return expNonPositive(Halide::min((hiI - hiJ) + (loI - loJ), 0.0f));
}

} // namespace cpu_gen
} // namespace ssdc

#endif // SSDC_CODEGEN_CPU_COMMON_H
