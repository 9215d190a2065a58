// bf16/f16 -> f32 conversions against known bit patterns and an independent
// float64 formula over all 65536 f16 values; dtype names and sizes.
#include "ssdc/weights/DType.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

using namespace ssdc;

static uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(DType, NamesSizesParse) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::F16), 2u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
  for (DType t : {DType::F32, DType::BF16, DType::F16, DType::I64, DType::I32})
    EXPECT_EQ(parseDType(dtypeName(t)), t);
  EXPECT_FALSE(parseDType("F64"));
  EXPECT_FALSE(parseDType("f32")); // case-sensitive, as the format
  EXPECT_FALSE(parseDType("F8_E4M3"));
  EXPECT_TRUE(isFloatDType(DType::BF16));
  EXPECT_FALSE(isFloatDType(DType::I64));
}

TEST(DType, Bf16KnownPatterns) {
  EXPECT_EQ(bf16ToF32(0x3F80), 1.0f);
  EXPECT_EQ(bf16ToF32(0xC000), -2.0f);
  EXPECT_EQ(bf16ToF32(0x3E20), 0.15625f);
  EXPECT_EQ(bf16ToF32(0x0001), std::ldexp(1.0f, -133)); // smallest subnormal
  EXPECT_EQ(bf16ToF32(0x7F80), INFINITY);
  EXPECT_EQ(bf16ToF32(0xFF80), -INFINITY);
  EXPECT_TRUE(std::isnan(bf16ToF32(0x7FC0)));
  EXPECT_EQ(bitsOf(bf16ToF32(0x8000)), 0x80000000u); // -0
  // Exactly the top 16 bits of the f32, for every pattern.
  for (uint32_t b = 0; b < 0x10000; ++b)
    ASSERT_EQ(bitsOf(bf16ToF32(uint16_t(b))), b << 16) << b;
}

TEST(DType, F16KnownPatterns) {
  EXPECT_EQ(f16ToF32(0x3C00), 1.0f);
  EXPECT_EQ(f16ToF32(0xC000), -2.0f);
  EXPECT_EQ(f16ToF32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16ToF32(0x0001), std::ldexp(1.0f, -24));   // smallest subnormal
  EXPECT_EQ(f16ToF32(0x03FF), 1023 * std::ldexp(1.0f, -24)); // largest subnormal
  EXPECT_EQ(f16ToF32(0x0400), std::ldexp(1.0f, -14));   // smallest normal
  EXPECT_EQ(f16ToF32(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(f16ToF32(0x7BFF), 65504.0f);                // largest finite
  EXPECT_EQ(f16ToF32(0x7C00), INFINITY);
  EXPECT_EQ(f16ToF32(0xFC00), -INFINITY);
  EXPECT_TRUE(std::isnan(f16ToF32(0x7E00)));
  EXPECT_TRUE(std::isnan(f16ToF32(0x7C01))); // signalling payload still NaN
  EXPECT_EQ(bitsOf(f16ToF32(0x8000)), 0x80000000u); // -0
  EXPECT_EQ(bitsOf(f16ToF32(0x0000)), 0u);
}

// Independent definition of binary16: (-1)^s * 2^(e-15) * (1 + m/1024), or
// (-1)^s * 2^-14 * (m/1024) when e == 0, computed in double.
TEST(DType, F16AllValuesMatchFormula) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    int s = (b >> 15) & 1, e = (b >> 10) & 31, m = b & 1023;
    float got = f16ToF32(uint16_t(b));
    if (e == 31) {
      if (m == 0)
        ASSERT_EQ(got, s ? -INFINITY : INFINITY) << b;
      else
        ASSERT_TRUE(std::isnan(got)) << b;
      continue;
    }
    double v = e == 0 ? std::ldexp(double(m) / 1024.0, -14)
                      : std::ldexp(1.0 + double(m) / 1024.0, e - 15);
    if (s)
      v = -v;
    ASSERT_EQ(double(got), v) << "bits 0x" << std::hex << b;
    ASSERT_EQ(std::signbit(got), bool(s)) << b;
  }
}
