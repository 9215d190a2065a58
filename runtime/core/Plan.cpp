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
  const json &module = r.field(root, "module", "plan");
  plan.dtype = module.value("ssd.dtype", std::string("f32"));
  for (const json &je : r.field(root, "entries", "plan")) {
    Entry e;
    e.name = r.string(je, "name", "entry");
    std::string where = "entry '" + e.name + "'";
    const json &attrs = r.field(je, "attributes", where);
    e.entry = attrs.value("ssd.entry", e.name);
    e.lMin = attrs.value("ssd.l_min", int64_t(1));
    e.lMax = attrs.value("ssd.l_max", int64_t(-1));
    if (e.entry == "decode" && !attrs.contains("ssd.l_max"))
      e.lMax = 1;
    for (const json &jb : r.field(je, "buffers", where)) {
      Buffer b;
      b.id = r.integer(jb, "id", where);
      if (b.id != static_cast<int64_t>(e.buffers.size()))
        r.fail(where, "buffer ids must be 0, 1, 2, ... in order");
      std::string bw = where + " buffer " + std::to_string(b.id);
      b.kind = kindOf(r.string(jb, "kind", bw), r, bw);
      b.dtype = r.string(jb, "dtype", bw);
      for (const json &d : r.field(jb, "shape", bw)) {
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
          b.role = jb.at("ssd.state").get<std::string>();
        else if (jb.contains("ssd.input"))
          b.role = jb.at("ssd.input").get<std::string>();
        e.inputs.push_back(b.id);
      }
      e.buffers.push_back(std::move(b));
    }
    auto checkId = [&](int64_t id, const std::string &w) {
      if (id < 0 || id >= static_cast<int64_t>(e.buffers.size()))
        r.fail(w, "refers to buffer " + std::to_string(id) + ", which does not exist");
    };
    for (const json &jl : r.field(je, "launches", where)) {
      Launch l;
      l.kernel = r.string(jl, "kernel", where);
      l.op = r.string(jl, "op", where);
      std::string lw = where + " launch '" + l.kernel + "'";
      for (const json &i : r.field(jl, "inputs", lw)) {
        l.inputs.push_back(i.get<int64_t>());
        checkId(l.inputs.back(), lw);
      }
      for (const json &o : r.field(jl, "outputs", lw)) {
        l.outputs.push_back(o.get<int64_t>());
        checkId(l.outputs.back(), lw);
      }
      l.attrs = jl.value("attrs", json::object());
      l.layer = jl.value("layer", std::string());
      if (l.attrs.contains("operand_segments"))
        l.operandSegments = l.attrs.at("operand_segments").get<std::vector<int>>();
      e.launches.push_back(std::move(l));
    }
    for (const json &jo : r.field(je, "outputs", where)) {
      EntryOutput o;
      o.buffer = r.integer(jo, "buffer", where);
      checkId(o.buffer, where + " output");
      o.role = jo.value("ssd.state", jo.value("ssd.output", std::string()));
      e.outputs.push_back(o);
    }
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

} // namespace ssdc::rt
