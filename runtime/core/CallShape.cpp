// Symbol resolution and input checks for one call of a plan entry.
#include "runtime/core/CallShape.h"

#include "runtime/core/Error.h"

namespace ssdc::rt {

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

RunResult collectOutputs(const Entry &entry,
                         const std::function<Tensor(int64_t)> &take) {
  RunResult result;
  for (const EntryOutput &o : entry.outputs) {
    if (o.role == "logits")
      result.logits = take(o.buffer);
    else
      result.states[o.role] = take(o.buffer);
  }
  return result;
}

int64_t CallShape::resolve(const Dim &d) const {
  if (d.size >= 0)
    return d.size;
  if (d.symbol == "b")
    return b;
  if (d.symbol == "l")
    return l;
  if (d.symbol == "s")
    return s;
  if (d.symbol == "s+l")
    return s + l;
  if (d.symbol.rfind("ceil(l/", 0) == 0) {
    int64_t q = std::stoll(d.symbol.substr(7));
    return (l + q - 1) / q;
  }
  throw RuntimeError("plan: unknown shape symbol '" + d.symbol + "'");
}

std::vector<int64_t> CallShape::shapeOf(const Buffer &buffer) const {
  std::vector<int64_t> out;
  for (const Dim &d : buffer.shape)
    out.push_back(resolve(d));
  return out;
}

int64_t cacheLength(const Entry &entry,
                    const std::map<std::string, Tensor> &states) {
  int64_t s = -1;
  for (int64_t id : entry.inputs) {
    const Buffer &b = entry.buffers[id];
    if (b.shape.size() < 2 || b.shape[1].symbol != "s")
      continue;
    auto it = states.find(b.role);
    if (it == states.end() || it->second.shape.size() < 2)
      continue;  // requireState reports it
    int64_t here = it->second.shape[1];
    if (s >= 0 && here != s)
      throw RuntimeError("state '" + b.role + "' holds " + std::to_string(here) +
                         " cached positions, but another cache holds " +
                         std::to_string(s));
    s = here;
  }
  return s < 0 ? 0 : s;
}

void checkTokenCount(const std::vector<int64_t> &ids, const CallShape &call) {
  if (static_cast<int64_t>(ids.size()) != call.b * call.l)
    throw RuntimeError("expected " + std::to_string(call.b * call.l) +
                       " token ids, got " + std::to_string(ids.size()));
}

const Tensor &requireState(const Entry &entry, const Buffer &input,
                           const std::map<std::string, Tensor> &states,
                           const CallShape &call) {
  auto it = states.find(input.role);
  if (it == states.end())
    throw RuntimeError("entry '" + entry.name + "' needs the state '" +
                       input.role + "', which was not given");
  std::vector<int64_t> want = call.shapeOf(input);
  if (it->second.shape != want)
    throw RuntimeError("state '" + input.role + "' has shape " +
                       shapeString(it->second.shape) + ", expected " +
                       shapeString(want));
  return it->second;
}

} // namespace ssdc::rt
