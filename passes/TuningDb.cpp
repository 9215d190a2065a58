//===- TuningDb.cpp - read and query the tuning database ------------------===//
//
// Validation is strict on what the lookup uses (every key field, the
// version, the schedule names, positive times) and lenient on the rest:
// extra fields (e.g. "cuda", "ssdc_version", "measured") are ignored.
//
//===----------------------------------------------------------------------===//

#include "passes/TuningDb.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace ssdc;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

namespace {

/// Collects the first error with "tuning-db 'FILE': FIELD: MESSAGE".
class Reader {
public:
  explicit Reader(llvm::StringRef path) : path(path.str()) {}

  bool fail(const std::string &field, const llvm::Twine &msg) {
    if (error.empty())
      error = ("tuning-db '" + path + "': " + field + ": " + msg).str();
    return false;
  }
  llvm::Error takeError() {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  }

  bool str(const Object &o, const std::string &at, llvm::StringRef key,
           std::string &out, bool required = true) {
    const Value *v = o.get(key);
    if (!v)
      return !required || fail(at + "." + key.str(), "missing");
    std::optional<llvm::StringRef> s = v->getAsString();
    if (!s)
      return fail(at + "." + key.str(), "expected a string");
    out = s->str();
    return true;
  }

  bool integer(const Object &o, const std::string &at, llvm::StringRef key,
               int64_t &out) {
    const Value *v = o.get(key);
    if (!v)
      return fail(at + "." + key.str(), "missing");
    std::optional<int64_t> i = v->getAsInteger();
    if (!i || *i <= 0)
      return fail(at + "." + key.str(), "expected a positive integer");
    out = *i;
    return true;
  }

  /// [lo, hi] or [lo, null]; absent = [1, unbounded].
  bool range(const Object &o, const std::string &at, llvm::StringRef key,
             int64_t &lo, int64_t &hi) {
    const Value *v = o.get(key);
    if (!v)
      return true;
    std::string field = at + "." + key.str();
    const Array *a = v->getAsArray();
    if (!a || a->size() != 2)
      return fail(field, "expected [lo, hi] (hi may be null)");
    std::optional<int64_t> l = (*a)[0].getAsInteger();
    if (!l || *l < 1)
      return fail(field, "lower bound must be an integer >= 1");
    lo = *l;
    if ((*a)[1].getAsNull()) {
      hi = -1;
      return true;
    }
    std::optional<int64_t> h = (*a)[1].getAsInteger();
    if (!h || *h < lo)
      return fail(field, "upper bound must be null or an integer >= lo");
    hi = *h;
    return true;
  }

  bool entry(const Value &v, const std::string &at, TuningEntry &e) {
    const Object *o = v.getAsObject();
    if (!o)
      return fail(at, "expected an object");
    if (!str(*o, at, "target", e.target) ||
        !str(*o, at, "device", e.device, /*required=*/false) ||
        !str(*o, at, "chunked_form", e.chunkedForm, /*required=*/false) ||
        !str(*o, at, "op", e.op) || !str(*o, at, "dtype", e.dtype) ||
        !range(*o, at, "b", e.bMin, e.bMax) ||
        !range(*o, at, "l", e.lMin, e.lMax) || !integer(*o, at, "h", e.h) ||
        !integer(*o, at, "p", e.p) || !integer(*o, at, "g", e.g) ||
        !integer(*o, at, "n", e.n))
      return false;
    if (!cost::lookupTarget(e.target))
      return fail(at + ".target", "unknown target '" + e.target +
                                      "' (known: " + cost::knownTargets() +
                                      ")");
    if (!e.chunkedForm.empty() && e.chunkedForm != "staged" && e.chunkedForm != "fused")
      return fail(at + ".chunked_form", "expected \"staged\" or \"fused\", got '" +
                                            e.chunkedForm + "'");
    if (e.op != "sma")
      return fail(at + ".op", "expected \"sma\", got '" + e.op + "'");
    if (e.dtype != "f32" && e.dtype != "bf16" && e.dtype != "f16")
      return fail(at + ".dtype", "expected f32, bf16 or f16, got '" +
                                     e.dtype + "'");
    const Object *times = o->getObject("times_us");
    if (!times || times->empty())
      return fail(at + ".times_us",
                  "expected a non-empty object {schedule: microseconds}");
    for (const auto &[name, t] : *times) {
      std::string field = at + ".times_us." + name.str();
      std::optional<cost::Schedule> s = cost::Schedule::parse(name);
      if (!s)
        return fail(field, "unknown schedule (expected recurrent, quadratic "
                           "or chunked-Q)");
      std::optional<double> us = t.getAsNumber();
      if (!us || *us <= 0)
        return fail(field, "expected a positive number of microseconds");
      e.timesUs.push_back({*s, *us});
    }
    // Object iteration order is unspecified: keep schedules in a fixed order.
    llvm::sort(e.timesUs, [](const auto &a, const auto &b) {
      return a.first.str() < b.first.str();
    });
    return true;
  }

  std::string path, error;
};

bool inRange(int64_t v, int64_t lo, int64_t hi) {
  return v >= lo && (hi < 0 || v <= hi);
}

} // namespace

llvm::Expected<TuningDb> TuningDb::load(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "tuning-db '%s': cannot read: %s",
                                   path.str().c_str(),
                                   buffer.getError().message().c_str());
  return parse((*buffer)->getBuffer(), path);
}

llvm::Expected<TuningDb> TuningDb::parse(llvm::StringRef text,
                                         llvm::StringRef path) {
  Reader r(path);
  llvm::Expected<Value> json = llvm::json::parse(text);
  if (!json) {
    std::string msg = llvm::toString(json.takeError());
    r.fail("$", "invalid JSON: " + msg);
    return r.takeError();
  }
  const Object *root = json->getAsObject();
  if (!root) {
    r.fail("$", "expected an object");
    return r.takeError();
  }
  std::string format;
  if (!r.str(*root, "$", "format", format))
    return r.takeError();
  if (format != "ssdc-tuning-db") {
    r.fail("$.format", "expected \"ssdc-tuning-db\", got '" + format + "'");
    return r.takeError();
  }
  std::optional<int64_t> version =
      root->get("version") ? root->get("version")->getAsInteger()
                           : std::nullopt;
  if (!version) {
    r.fail("$.version", "missing or not an integer");
    return r.takeError();
  }
  if (*version != kVersion) {
    r.fail("$.version", "is " + llvm::Twine(*version) +
                           ", this ssdc reads version " +
                           llvm::Twine(kVersion));
    return r.takeError();
  }
  const Array *entries = root->getArray("entries");
  if (!entries) {
    r.fail("$.entries", "missing or not an array");
    return r.takeError();
  }
  TuningDb db;
  for (size_t i = 0; i < entries->size(); ++i) {
    TuningEntry e;
    if (!r.entry((*entries)[i], "$.entries[" + std::to_string(i) + "]", e))
      return r.takeError();
    db.all.push_back(std::move(e));
  }
  return db;
}

const TuningEntry *TuningDb::lookup(const TuningKey &k) const {
  for (const TuningEntry &e : all) {
    if (e.target != k.target || e.op != k.op || e.dtype != k.dtype ||
        e.h != k.h || e.p != k.p || e.g != k.g || e.n != k.n ||
        !inRange(k.b, e.bMin, e.bMax) || !inRange(k.l, e.lMin, e.lMax))
      continue;
    if (!e.device.empty() && !k.device.empty() && e.device != k.device)
      continue;
    // Times of the staged chunk kernels do not price the fused kernel.
    if (!e.chunkedForm.empty() && !k.chunkedForm.empty() && e.chunkedForm != k.chunkedForm)
      continue;
    return &e;
  }
  return nullptr;
}
