//===- JsonFields.cpp - typed, checked access to a JSON object ------------===//

#include "frontend/JsonFields.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace ssdc::frontend {

JsonFields::JsonFields(StringRef file, const json::Object &object,
                       StringRef prefix)
    : file(file.str()), object(object), prefix(prefix.str()) {}

std::string JsonFields::path(StringRef key) const {
  return prefix.empty() ? key.str() : prefix + "." + key.str();
}

std::string describe(const json::Value *value) {
  if (!value)
    return "nothing";
  switch (value->kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Boolean:
    return *value->getAsBoolean() ? "true" : "false";
  case json::Value::Number: {
    std::string s;
    raw_string_ostream os(s);
    os << *value;
    return s;
  }
  case json::Value::String:
    return "\"" + value->getAsString()->str() + "\" (a string)";
  case json::Value::Array:
    return "a list";
  case json::Value::Object:
    return "an object";
  }
  return "?";
}

void JsonFields::fail(StringRef key, const Twine &expected,
                      const json::Value *got) {
  if (firstError)
    return;
  firstError = (file + ": field '" + path(key) + "': expected " + expected +
                ", got " + describe(got))
                   .str();
}

void JsonFields::failMessage(const Twine &message) {
  if (!firstError)
    firstError = (file + ": " + message).str();
}

void JsonFields::merge(const JsonFields &nested) {
  if (!firstError && nested.firstError)
    firstError = nested.firstError;
}

const json::Value *JsonFields::get(StringRef key) {
  read.insert(key);
  const json::Value *v = object.get(key);
  if (v && v->kind() == json::Value::Null)
    return nullptr;
  return v;
}

bool JsonFields::has(StringRef key) const {
  const json::Value *v = object.get(key);
  return v && v->kind() != json::Value::Null;
}

void JsonFields::ignore(std::initializer_list<StringRef> keys) {
  for (StringRef k : keys)
    read.insert(k);
}

/// An integer, also when written as 64.0.
static std::optional<int64_t> asInt(const json::Value *v) {
  if (!v)
    return std::nullopt;
  if (std::optional<int64_t> i = v->getAsInteger())
    return i;
  if (std::optional<double> d = v->getAsNumber();
      d && std::isfinite(*d) && *d == std::floor(*d) && std::fabs(*d) < 9e15)
    return static_cast<int64_t>(*d);
  return std::nullopt;
}

int64_t JsonFields::positiveInt(StringRef key) {
  const json::Value *v = get(key);
  if (!v) {
    if (!firstError)
      firstError = file + ": missing field '" + path(key) +
                   "' (a positive integer)";
    return 1;
  }
  std::optional<int64_t> i = asInt(v);
  if (!i || *i <= 0) {
    fail(key, "a positive integer", v);
    return 1;
  }
  if (*i > kMaxConfigInt) {
    fail(key, "an integer <= " + Twine(kMaxConfigInt), v);
    return 1;
  }
  return *i;
}

int64_t JsonFields::optInt(StringRef key, int64_t fallback, int64_t min) {
  const json::Value *v = get(key);
  if (!v)
    return fallback;
  std::optional<int64_t> i = asInt(v);
  if (!i || *i < min) {
    fail(key, "an integer >= " + Twine(min), v);
    return fallback;
  }
  if (*i > kMaxConfigInt) {
    fail(key, "an integer <= " + Twine(kMaxConfigInt), v);
    return fallback;
  }
  return *i;
}

double JsonFields::optPositive(StringRef key, double fallback) {
  const json::Value *v = get(key);
  if (!v)
    return fallback;
  std::optional<double> d = v->getAsNumber();
  if (!d || !std::isfinite(*d) || *d <= 0) {
    fail(key, "a positive number", v);
    return fallback;
  }
  return *d;
}

bool JsonFields::optBool(StringRef key, bool fallback) {
  const json::Value *v = get(key);
  if (!v)
    return fallback;
  std::optional<bool> b = v->getAsBoolean();
  if (!b) {
    fail(key, "true or false", v);
    return fallback;
  }
  return *b;
}

std::optional<std::string> JsonFields::optString(StringRef key) {
  const json::Value *v = get(key);
  if (!v)
    return std::nullopt;
  std::optional<StringRef> s = v->getAsString();
  if (!s) {
    fail(key, "a string", v);
    return std::nullopt;
  }
  return s->str();
}

const json::Object *JsonFields::optObject(StringRef key) {
  const json::Value *v = get(key);
  if (!v)
    return nullptr;
  const json::Object *o = v->getAsObject();
  if (!o)
    fail(key, "an object", v);
  return o;
}

std::vector<int64_t> JsonFields::optIntList(StringRef key) {
  std::vector<int64_t> out;
  const json::Value *v = get(key);
  if (!v)
    return out;
  const json::Array *a = v->getAsArray();
  if (!a) {
    fail(key, "a list of integers", v);
    return out;
  }
  for (const json::Value &e : *a) {
    std::optional<int64_t> i = asInt(&e);
    if (!i || *i < 0) {
      fail(key, "a list of integers >= 0 (one entry is not)", &e);
      return {};
    }
    out.push_back(*i);
  }
  return out;
}

/// A number, or {"__float__": "Infinity" | "-Infinity" | "inf"}.
static std::optional<double> asExtendedNumber(const json::Value &v) {
  if (std::optional<double> d = v.getAsNumber())
    return d;
  const json::Object *o = v.getAsObject();
  if (!o || o->size() != 1)
    return std::nullopt;
  std::optional<StringRef> s = o->getString("__float__");
  if (!s)
    return std::nullopt;
  std::string lower = s->trim().lower();
  if (lower == "infinity" || lower == "inf" || lower == "+infinity")
    return std::numeric_limits<double>::infinity();
  if (lower == "-infinity" || lower == "-inf")
    return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

bool JsonFields::optNumberPair(StringRef key, double &lo, double &hi) {
  const json::Value *v = get(key);
  if (!v)
    return false;
  const json::Array *a = v->getAsArray();
  std::optional<double> l, h;
  if (a && a->size() == 2) {
    l = asExtendedNumber((*a)[0]);
    h = asExtendedNumber((*a)[1]);
  }
  if (!l || !h) {
    fail(key,
         "a pair [min, max] of numbers (infinity as {\"__float__\": "
         "\"Infinity\"} or Infinity)",
         v);
    return false;
  }
  lo = *l;
  hi = *h;
  return true;
}

std::vector<std::string> JsonFields::unread() const {
  std::vector<std::string> out;
  for (const auto &kv : object)
    if (!read.contains(kv.first))
      out.push_back(path(kv.first));
  std::sort(out.begin(), out.end());
  return out;
}

std::string normaliseInfinity(StringRef text) {
  std::string out;
  out.reserve(text.size());
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
      out += c;
      continue;
    }
    bool negative = c == '-' && text.substr(i + 1).starts_with("Infinity");
    if (negative || text.substr(i).starts_with("Infinity")) {
      out += negative ? "{\"__float__\": \"-Infinity\"}"
                      : "{\"__float__\": \"Infinity\"}";
      i += negative ? 8 : 7;
      continue;
    }
    out += c;
  }
  return out;
}

} // namespace ssdc::frontend
