// DType names/sizes and the exact bf16/f16 -> f32 conversions.
#include "ssdc/weights/DType.h"

#include <cstring>

namespace ssdc {

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32: return 4;
  case DType::BF16: return 2;
  case DType::F16: return 2;
  case DType::I64: return 8;
  case DType::I32: return 4;
  }
  return 0;
}

const char *dtypeName(DType t) {
  switch (t) {
  case DType::F32: return "F32";
  case DType::BF16: return "BF16";
  case DType::F16: return "F16";
  case DType::I64: return "I64";
  case DType::I32: return "I32";
  }
  return "?";
}

std::optional<DType> parseDType(const std::string &s) {
  if (s == "F32") return DType::F32;
  if (s == "BF16") return DType::BF16;
  if (s == "F16") return DType::F16;
  if (s == "I64") return DType::I64;
  if (s == "I32") return DType::I32;
  return std::nullopt;
}

const char *supportedDTypeList() { return "F32, BF16, F16, I64, I32"; }

bool isFloatDType(DType t) {
  return t == DType::F32 || t == DType::BF16 || t == DType::F16;
}

static float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bf16ToF32(uint16_t bits) { return bitsToFloat(uint32_t(bits) << 16); }

float f16ToF32(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1Fu;
  uint32_t mant = bits & 0x3FFu;
  if (exp == 0x1F) // inf (mant 0) or NaN (payload kept, quiet bit included)
    return bitsToFloat(sign | 0x7F800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0)
      return bitsToFloat(sign); // +-0
    // Subnormal: mant * 2^-24. Normalise: shift until the implicit bit shows.
    int e = -14; // exponent of the f16 subnormal range
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    mant &= 0x3FFu;
    return bitsToFloat(sign | (uint32_t(e + 127) << 23) | (mant << 13));
  }
  return bitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

} // namespace ssdc
