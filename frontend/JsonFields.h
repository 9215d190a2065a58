//===- JsonFields.h - typed, checked access to a JSON object -*- C++ -*-===//
//
// Reads fields of one JSON object and remembers the first problem as a message
// naming the file and the dotted field path:
//
//   config.json: field 'ssm_cfg.headdim': expected a positive integer, got "64"
//
// Callers read everything, then check error(). Fields never read are listed
// by unread() so the reader can warn about them.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_FRONTEND_JSONFIELDS_H
#define SSDC_FRONTEND_JSONFIELDS_H

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace ssdc::frontend {

/// The largest integer a config field may hold (2^20). Far above any real
/// size (vocabularies are <= 256k), and small enough that products of three
/// sizes (e.g. heads * head_dim * d_state) cannot overflow int64. Found by
/// fuzz/FuzzConfig.cpp: d_model = 7.7e18 overflowed expand * d_model.
constexpr int64_t kMaxConfigInt = int64_t(1) << 20;

class JsonFields {
public:
  JsonFields(llvm::StringRef file, const llvm::json::Object &object,
             llvm::StringRef prefix = "");

  bool has(llvm::StringRef key) const;
  /// A required integer > 0.
  int64_t positiveInt(llvm::StringRef key);
  /// An optional integer >= `min`; `fallback` when absent or null.
  int64_t optInt(llvm::StringRef key, int64_t fallback, int64_t min = 0);
  /// An optional number > 0.
  double optPositive(llvm::StringRef key, double fallback);
  bool optBool(llvm::StringRef key, bool fallback);
  std::optional<std::string> optString(llvm::StringRef key);
  /// A nested object; nullptr (and no error) when absent or null.
  const llvm::json::Object *optObject(llvm::StringRef key);
  /// A list of integers >= 0; empty when absent.
  std::vector<int64_t> optIntList(llvm::StringRef key);
  /// A pair [lo, hi] of numbers where infinity may be written as
  /// {"__float__": "Infinity"} or a bare Infinity. Returns false if absent.
  bool optNumberPair(llvm::StringRef key, double &lo, double &hi);

  /// Records a problem with `key` (keeps the first).
  void fail(llvm::StringRef key, const llvm::Twine &expected,
            const llvm::json::Value *got);
  /// Records a problem not tied to one field.
  void failMessage(const llvm::Twine &message);

  std::string path(llvm::StringRef key) const;
  const std::optional<std::string> &error() const { return firstError; }
  /// Keys present in the object but never read, as dotted paths.
  std::vector<std::string> unread() const;
  /// Marks keys as known without reading them (fields with no effect here).
  void ignore(std::initializer_list<llvm::StringRef> keys);
  /// Takes over another reader's first error (for nested objects).
  void merge(const JsonFields &nested);

private:
  const llvm::json::Value *get(llvm::StringRef key);
  std::string file;
  const llvm::json::Object &object;
  std::string prefix;
  llvm::StringSet<> read;
  std::optional<std::string> firstError;
};

/// Replaces bare Infinity / -Infinity tokens outside strings (Python's json
/// writes them) with numbers llvm::json parses as ±infinity.
std::string normaliseInfinity(llvm::StringRef text);

/// A short description of a JSON value for messages: 64, "64", true, a list…
std::string describe(const llvm::json::Value *value);

} // namespace ssdc::frontend

#endif // SSDC_FRONTEND_JSONFIELDS_H
