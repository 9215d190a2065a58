// plan.json → Plan, with checks that every id refers to an existing buffer.
#include "runtime/core/Plan.h"

#include "runtime/core/Error.h"

#include <limits>

namespace ssdc::rt {

using nlohmann::json;

namespace {

struct Reader {
  const std::string &file;
  [[noreturn]] void fail(const std::string &where, const std::string &what) const {
    throw RuntimeError(file + ": " + where + ": " + what);
  }
  const json &field(const json &o, const char *key, const std::string &where) const {
    if (!o.is_object() || !o.contains(key))
      fail(where, std::string("missing field '") + key + "'");
    return o.at(key);
  }
  int64_t integer(const json &o, const char *key, const std::string &where) const {
    const json &v = field(o, key, where);
    if (!v.is_number_integer())
      fail(where, std::string("field '") + key + "' must be an integer");
    return v.get<int64_t>();
  }
  std::string string(const json &o, const char *key, const std::string &where) const {
    const json &v = field(o, key, where);
    if (!v.is_string())
      fail(where, std::string("field '") + key + "' must be a string");
    return v.get<std::string>();
  }
  // Optional fields: `fallback` when absent; the wrong type is an error (a
  // plain json::value() would throw nlohmann's type_error, which names no
  // file, or convert a float such as 1e21 to int64 with undefined behaviour).
  int64_t optInteger(const json &o, const char *key, int64_t fallback,
                     const std::string &where) const {
    if (!o.is_object() || !o.contains(key))
      return fallback;
    return integer(o, key, where);
  }
  std::string optString(const json &o, const char *key, const std::string &fallback,
                        const std::string &where) const {
    if (!o.is_object() || !o.contains(key))
      return fallback;
    return string(o, key, where);
  }
  const json &array(const json &o, const char *key, const std::string &where) const {
    const json &v = field(o, key, where);
    if (!v.is_array())
      fail(where, std::string("field '") + key + "' must be a list");
    return v;
  }
  const json &object(const json &o, const char *key, const std::string &where) const {
    const json &v = field(o, key, where);
    if (!v.is_object())
      fail(where, std::string("field '") + key + "' must be an object");
    return v;
  }
  int64_t element(const json &v, const std::string &where) const {
    if (!v.is_number_integer())
      fail(where, "a buffer id must be an integer");
    return v.get<int64_t>();
  }
};

BufferKind kindOf(const std::string &k, const Reader &r, const std::string &where) {
  if (k == "input") return BufferKind::Input;
  if (k == "weight") return BufferKind::Weight;
  if (k == "activation") return BufferKind::Activation;
  if (k == "view") return BufferKind::View;
  r.fail(where, "unknown buffer kind '" + k + "'");
}

} // namespace

double attrNumber(const json &v) {
  if (v.is_number())
    return v.get<double>();
  if (v.is_object() && v.contains("__float__") && v["__float__"].is_string())
    return v["__float__"].get<std::string>().rfind('-', 0) == 0
               ? -std::numeric_limits<double>::infinity()
               : std::numeric_limits<double>::infinity();
  throw RuntimeError("plan: expected a number attribute, got " + v.dump());
}

const Entry &Plan::select(const std::string &entry, int64_t length) const {
  for (const Entry &e : entries)
    if (e.entry == entry && length >= e.lMin && (e.lMax < 0 || length <= e.lMax))
      return e;
  throw RuntimeError("the plan has no '" + entry + "' function for length " +
                     std::to_string(length));
}

Plan parsePlan(const json &root, const std::string &file) {
  Reader r{file};
  if (r.integer(root, "plan_version", "plan") != 1)
    r.fail("plan", "unsupported plan_version (expected 1)");
  Plan plan;
  const json &module = r.object(root, "module", "plan");
  plan.dtype = r.optString(module, "ssd.dtype", "f32", "plan module");
  for (const json &je : r.array(root, "entries", "plan")) {
    Entry e;
    e.name = r.string(je, "name", "entry");
    std::string where = "entry '" + e.name + "'";
    const json &attrs = r.object(je, "attributes", where);
    e.entry = r.optString(attrs, "ssd.entry", e.name, where);
    e.lMin = r.optInteger(attrs, "ssd.l_min", 1, where);
    e.lMax = r.optInteger(attrs, "ssd.l_max", -1, where);
    if (e.entry == "decode" && !attrs.contains("ssd.l_max"))
      e.lMax = 1;
    for (const json &jb : r.array(je, "buffers", where)) {
      Buffer b;
      b.id = r.integer(jb, "id", where);
      if (b.id != static_cast<int64_t>(e.buffers.size()))
        r.fail(where, "buffer ids must be 0, 1, 2, ... in order");
      std::string bw = where + " buffer " + std::to_string(b.id);
      b.kind = kindOf(r.string(jb, "kind", bw), r, bw);
      b.dtype = r.string(jb, "dtype", bw);
      for (const json &d : r.array(jb, "shape", bw)) {
        Dim dim;
        if (d.is_number_integer())
          dim.size = d.get<int64_t>();
        else if (d.is_string())
          dim.symbol = d.get<std::string>();
        else
          r.fail(bw, "a shape entry must be an integer or a symbol");
        b.shape.push_back(dim);
      }
      if (b.kind == BufferKind::Weight)
        b.weightName = r.string(jb, "name", bw);
      if (b.kind == BufferKind::View) {
        b.viewOf = r.integer(jb, "of", bw);
        if (b.viewOf < 0 || b.viewOf >= b.id)
          r.fail(bw, "a view must refer to an earlier buffer");
        if (jb.contains("column_offset")) {
          b.columnOffset = r.integer(jb, "column_offset", bw);
          b.columns = r.integer(jb, "columns", bw);
        }
      }
      if (b.kind == BufferKind::Input) {
        if (jb.contains("ssd.state"))
          b.role = r.string(jb, "ssd.state", bw);
        else if (jb.contains("ssd.input"))
          b.role = r.string(jb, "ssd.input", bw);
        e.inputs.push_back(b.id);
      }
      e.buffers.push_back(std::move(b));
    }
    auto checkId = [&](int64_t id, const std::string &w) {
      if (id < 0 || id >= static_cast<int64_t>(e.buffers.size()))
        r.fail(w, "refers to buffer " + std::to_string(id) + ", which does not exist");
    };
    for (const json &jl : r.array(je, "launches", where)) {
      Launch l;
      l.kernel = r.string(jl, "kernel", where);
      l.op = r.string(jl, "op", where);
      std::string lw = where + " launch '" + l.kernel + "'";
      for (const json &i : r.array(jl, "inputs", lw)) {
        l.inputs.push_back(r.element(i, lw));
        checkId(l.inputs.back(), lw);
      }
      for (const json &o : r.array(jl, "outputs", lw)) {
        l.outputs.push_back(r.element(o, lw));
        checkId(l.outputs.back(), lw);
      }
      l.attrs = jl.contains("attrs") ? r.object(jl, "attrs", lw) : json::object();
      l.layer = r.optString(jl, "layer", "", lw);
      if (l.attrs.contains("operand_segments")) {
        for (const json &n : r.array(l.attrs, "operand_segments", lw)) {
          if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > 64)
            r.fail(lw, "operand_segments must be small integers >= 0");
          l.operandSegments.push_back(static_cast<int>(n.get<int64_t>()));
        }
      }
      e.launches.push_back(std::move(l));
    }
    for (const json &jo : r.array(je, "outputs", where)) {
      EntryOutput o;
      o.buffer = r.integer(jo, "buffer", where);
      checkId(o.buffer, where + " output");
      o.role = r.optString(jo, "ssd.state", r.optString(jo, "ssd.output", "", where), where);
      e.outputs.push_back(o);
    }
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

} // namespace ssdc::rt
