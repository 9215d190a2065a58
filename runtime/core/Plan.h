// The plan (IR level 5) as the runtime reads it from an artifact's plan.json
// (written by codegen/plan/PlanBuilder.cpp): per entry function, buffers with
// symbolic shapes and the ordered kernel launches.
#ifndef SSDC_RUNTIME_PLAN_H
#define SSDC_RUNTIME_PLAN_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ssdc::rt {

/// One dimension: a static size or a symbol ("b", "l", "s", "s+l",
/// "ceil(l/Q)") bound per call.
struct Dim {
  int64_t size = -1;   ///< >= 0 when static
  std::string symbol;  ///< when dynamic
};

enum class BufferKind { Input, Weight, Activation, View };

struct Buffer {
  int64_t id = 0;
  BufferKind kind = BufferKind::Activation;
  std::vector<Dim> shape;
  std::string dtype;        ///< "f32", "bf16", "f16", "i64"
  std::string weightName;   ///< Weight
  int64_t viewOf = -1;      ///< View: the source buffer
  int64_t columnOffset = -1;///< View of a column range (ssd.split); -1 = reshape
  int64_t columns = 0;
  std::string role;         ///< Input: "input_ids" or the state name
};

struct Launch {
  std::string kernel;       ///< e.g. "ssm.recurrent", "chunk_state", "linear"
  std::string op;           ///< e.g. "ssd.ssm"
  std::vector<int64_t> inputs, outputs;
  nlohmann::json attrs;
  std::string layer;
  /// Sizes of the op's operand groups (optional operands), when it has them.
  std::vector<int> operandSegments;
};

struct EntryOutput {
  int64_t buffer = 0;
  std::string role;         ///< "logits" or the state name
};

struct Entry {
  std::string name;         ///< "decode", "prefill__L65_512", ...
  std::string entry;        ///< "prefill" / "decode"
  int64_t lMin = 1, lMax = -1; ///< length bucket; lMax < 0 = unbounded
  std::vector<int64_t> inputs;
  std::vector<EntryOutput> outputs;
  std::vector<Buffer> buffers;
  std::vector<Launch> launches;
};

struct Plan {
  std::vector<Entry> entries;
  std::string dtype;

  /// The entry for `entry` ("prefill"/"decode") whose bucket holds `length`.
  const Entry &select(const std::string &entry, int64_t length) const;
};

/// A numeric launch attribute: a JSON number, or ±infinity written as
/// {"__float__": "Infinity"} (JSON has no infinity).
double attrNumber(const nlohmann::json &value);

/// Parses plan.json; errors name `file` and what is malformed.
Plan parsePlan(const nlohmann::json &json, const std::string &file);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_PLAN_H
