// SafetensorsFile: maps a file and validates its header and tensor layout.
// Layout: u64 LE header length n | n bytes of JSON header | data section.
// Header: {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
//          ..., "__metadata__": {"k": "v"}} with offsets relative to the
// start of the data section.
#include "ssdc/weights/SafetensorsFile.h"

#include "MappedFile.h"
#include "ssdc/weights/WeightsError.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; ssdc reads it in place");

namespace ssdc {

using nlohmann::json;

namespace {

constexpr int kMaxJsonDepth = 64;

std::string q(const std::string &s) { return "'" + s + "'"; }

// Deepest [ / { nesting outside strings: refuses pathological headers before
// they reach the JSON parser.
int jsonDepth(const char *p, size_t n) {
  int depth = 0, maxDepth = 0;
  bool inString = false;
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      maxDepth = std::max(maxDepth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return maxDepth;
}

const char *jsonKind(const json &j) { return j.type_name(); }

// A non-negative integer that fits int64, or an error naming `what`.
int64_t toIndex(const json &j, const std::string &where, const char *what) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > uint64_t(std::numeric_limits<int64_t>::max()))
      throw WeightsError(where + ": " + what + " value " + std::to_string(v) +
                         " is too large");
    return int64_t(v);
  }
  if (j.is_number_integer()) { // negative (non-negative ones are unsigned)
    throw WeightsError(where + ": " + what + " value " +
                       std::to_string(j.get<int64_t>()) + " is negative");
  }
  throw WeightsError(where + ": " + what + " holds a " + jsonKind(j) +
                     ", expected a non-negative integer");
}

struct Span {
  int64_t begin, end;
  size_t tensor;
};

} // namespace

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string &path) {
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->mapping_ = MappedFile::open(path);
  f->parse(f->mapping_->data(), f->mapping_->size());
  return f;
}

std::unique_ptr<SafetensorsFile>
SafetensorsFile::fromMemory(const void *data, size_t size,
                            const std::string &label) {
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = label;
  f->parse(static_cast<const uint8_t *>(data), size);
  return f;
}

SafetensorsFile::~SafetensorsFile() = default;

void SafetensorsFile::parse(const uint8_t *bytes, size_t size) {
  const std::string &P = path_;
  if (size < 8)
    throw WeightsError(P + ": file is " + std::to_string(size) +
                       " bytes, too short for the 8-byte header length "
                       "(truncated or not a safetensors file)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | bytes[i];
  const uint64_t afterLen = size - 8;
  if (n > afterLen)
    throw WeightsError(
        P + ": header length " + std::to_string(n) + " bytes is beyond the file (" +
        std::to_string(afterLen) + " bytes follow the 8-byte length field)" +
        (n > kMaxHeaderBytes ? "; not a safetensors file?" : "; file truncated?"));
  if (n > kMaxHeaderBytes)
    throw WeightsError(P + ": header length " + std::to_string(n) +
                       " bytes exceeds the limit of " +
                       std::to_string(kMaxHeaderBytes) + " bytes");
  if (n == 0)
    throw WeightsError(P + ": header length is 0; expected a JSON object");

  const char *hdr = reinterpret_cast<const char *>(bytes + 8);
  if (jsonDepth(hdr, n) > kMaxJsonDepth)
    throw WeightsError(P + ": header JSON is nested deeper than " +
                       std::to_string(kMaxJsonDepth) + " levels");

  // Parse, noting duplicate top-level keys (json objects keep only the last).
  std::set<std::string> seen;
  std::string duplicate;
  json header;
  try {
    header = json::parse(
        hdr, hdr + n,
        [&](int depth, json::parse_event_t ev, json &parsed) {
          if (depth == 1 && ev == json::parse_event_t::key && parsed.is_string()) {
            const std::string &k = parsed.get_ref<const std::string &>();
            if (!seen.insert(k).second && duplicate.empty())
              duplicate = k;
          }
          return true;
        });
  } catch (const json::exception &e) {
    throw WeightsError(P + ": header is not valid JSON: " + e.what());
  }
  if (!header.is_object())
    throw WeightsError(P + ": header is a JSON " + jsonKind(header) +
                       ", expected an object of tensors");
  if (!duplicate.empty())
    throw WeightsError(P + ": header lists " + q(duplicate) + " twice");

  const uint8_t *dataBase = bytes + 8 + n;
  const int64_t dataSize = int64_t(afterLen - n);

  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const json &v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object())
        throw WeightsError(P + ": __metadata__ is a " + jsonKind(v) +
                           ", expected an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          throw WeightsError(P + ": __metadata__ entry " + q(m.key()) + " is a " +
                             jsonKind(m.value()) + ", expected a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = P + ": tensor " + q(name);
    if (!v.is_object())
      throw WeightsError(where + ": entry is a " + jsonKind(v) +
                         ", expected an object with dtype, shape, data_offsets");
    for (const char *field : {"dtype", "shape", "data_offsets"})
      if (!v.contains(field))
        throw WeightsError(where + ": missing \"" + field + "\"");

    const json &jd = v["dtype"];
    if (!jd.is_string())
      throw WeightsError(where + ": dtype is a " + jsonKind(jd) +
                         ", expected a string");
    std::optional<DType> dt = parseDType(jd.get<std::string>());
    if (!dt)
      throw WeightsError(where + ": unsupported dtype " +
                         q(jd.get<std::string>()) + " (supported: " +
                         supportedDTypeList() + ")");

    const json &js = v["shape"];
    if (!js.is_array())
      throw WeightsError(where + ": shape is a " + jsonKind(js) +
                         ", expected an array of integers");
    TensorInfo t;
    t.name = name;
    t.dtype = *dt;
    t.file = P;
    for (const json &d : js)
      t.shape.push_back(toIndex(d, where, "shape"));
    const int64_t esize = int64_t(dtypeSize(*dt));
    int64_t numel = 1;
    if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end()) {
      numel = 0;
    } else {
      const int64_t maxNumel = std::numeric_limits<int64_t>::max() / esize;
      for (int64_t dim : t.shape) {
        if (numel > maxNumel / dim)
          throw WeightsError(where + ": shape " + formatShape(t.shape) + " of " +
                             dtypeName(*dt) +
                             " has more bytes than fit in 64 bits");
        numel *= dim;
      }
    }
    const int64_t need = numel * esize;

    const json &jo = v["data_offsets"];
    if (!jo.is_array() || jo.size() != 2)
      throw WeightsError(where + ": data_offsets is " +
                         (jo.is_array() ? "an array of " + std::to_string(jo.size())
                                        : std::string("a ") + jsonKind(jo)) +
                         ", expected [begin, end]");
    const int64_t b = toIndex(jo[0], where, "data_offsets");
    const int64_t e = toIndex(jo[1], where, "data_offsets");
    const std::string offs =
        "data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + "]";
    if (e < b)
      throw WeightsError(where + ": " + offs + " end before begin");
    if (e - b != need)
      throw WeightsError(where + ": " + offs + " span " + std::to_string(e - b) +
                         " bytes, but shape " + formatShape(t.shape) + " of " +
                         dtypeName(*dt) + " needs " + std::to_string(need));
    if (e > dataSize)
      throw WeightsError(
          where + ": " + offs + " end beyond the data section of " +
          std::to_string(dataSize) + " bytes: file truncated? (file is " +
          std::to_string(size) + " bytes, this tensor needs " +
          std::to_string(8 + n + uint64_t(e)) + ")");
    t.data = dataBase + b;
    t.nbytes = size_t(need);
    spans.push_back({b, e, tensors_.size()});
    tensors_.push_back(std::move(t));
  }

  // Overlaps: sort non-empty spans by begin; each must start at or after the
  // furthest end so far.
  spans.erase(std::remove_if(spans.begin(), spans.end(),
                             [](const Span &s) { return s.begin == s.end; }),
              spans.end());
  std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1, far = 0; i < spans.size(); ++i) {
    if (spans[i].begin < spans[far].end) {
      const Span &a = spans[far], &c = spans[i];
      auto fmt = [&](const Span &s) {
        return q(tensors_[s.tensor].name) + " [" + std::to_string(s.begin) +
               ", " + std::to_string(s.end) + "]";
      };
      throw WeightsError(P + ": tensors " + fmt(a) + " and " + fmt(c) +
                         " overlap in the data section");
    }
    if (spans[i].end > spans[far].end)
      far = i;
  }

  std::sort(tensors_.begin(), tensors_.end(),
            [](const TensorInfo &a, const TensorInfo &b) { return a.name < b.name; });
}

const TensorInfo *SafetensorsFile::find(const std::string &name) const {
  auto it = std::lower_bound(
      tensors_.begin(), tensors_.end(), name,
      [](const TensorInfo &t, const std::string &n) { return t.name < n; });
  if (it == tensors_.end() || it->name != name)
    return nullptr;
  return &*it;
}

std::vector<int64_t> readInt64(const TensorInfo &t) {
  std::vector<int64_t> out(size_t(t.numel()));
  if (t.dtype == DType::I64) {
    if (!out.empty())
      std::memcpy(out.data(), t.data, out.size() * 8);
  } else if (t.dtype == DType::I32) {
    for (size_t i = 0; i < out.size(); ++i) {
      int32_t v;
      std::memcpy(&v, t.data + 4 * i, 4);
      out[i] = v;
    }
  } else {
    throw WeightsError(t.file + ": tensor '" + t.name + "' has dtype " +
                       dtypeName(t.dtype) + ", expected I64 or I32");
  }
  return out;
}

} // namespace ssdc
