// Element types a safetensors checkpoint may hold for ssdc, and the exact
// conversions of the 16-bit float formats to float32 (bf16 is the top half of
// an f32; f16 is IEEE binary16 with subnormals, infinities and NaN payloads).
#ifndef SSDC_WEIGHTS_DTYPE_H
#define SSDC_WEIGHTS_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ssdc {

enum class DType { F32, BF16, F16, I64, I32 };

/// Bytes per element.
size_t dtypeSize(DType t);
/// The safetensors spelling: "F32", "BF16", "F16", "I64", "I32".
const char *dtypeName(DType t);
/// Parses a safetensors dtype string; nullopt for anything unsupported.
std::optional<DType> parseDType(const std::string &s);
/// "F32, BF16, F16, I64, I32": for error messages.
const char *supportedDTypeList();
/// True for F32, BF16, F16.
bool isFloatDType(DType t);

/// bf16 bits -> float (exact: the bits become the top half of the f32).
float bf16ToF32(uint16_t bits);
/// IEEE binary16 bits -> float (exact, every value incl. subnormals, inf, NaN).
float f16ToF32(uint16_t bits);

} // namespace ssdc

#endif // SSDC_WEIGHTS_DTYPE_H
