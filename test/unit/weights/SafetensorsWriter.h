// Test helper: writes safetensors images byte by byte, independently of the
// reader under test (header JSON is assembled as text, offsets computed here),
// with knobs to produce every kind of broken file. Also a temp-dir helper and
// an error-message matcher.
#ifndef SSDC_TEST_WEIGHTS_SAFETENSORSWRITER_H
#define SSDC_TEST_WEIGHTS_SAFETENSORSWRITER_H

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssdc::test {

using Bytes = std::vector<uint8_t>;

struct TT { // one tensor to write
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  Bytes bytes;
  // Overrides the computed [begin, end] (for broken files).
  std::optional<std::pair<uint64_t, uint64_t>> offsets = std::nullopt;
};

inline Bytes f32Bytes(const std::vector<float> &v) {
  Bytes b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}
inline Bytes u32Bytes(const std::vector<uint32_t> &v) {
  Bytes b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}
inline Bytes u16Bytes(const std::vector<uint16_t> &v) {
  Bytes b(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) { // explicit little-endian
    b[2 * i] = uint8_t(v[i] & 0xFF);
    b[2 * i + 1] = uint8_t(v[i] >> 8);
  }
  return b;
}
inline Bytes i64Bytes(const std::vector<int64_t> &v) {
  Bytes b(v.size() * 8);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}
/// n float32 values start, start+1, ...
inline Bytes f32Iota(size_t n, float start = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = start + float(i);
  return f32Bytes(v);
}

inline std::string shapeJson(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

/// Header JSON text and the concatenated data section.
inline std::pair<std::string, Bytes>
headerAndData(const std::vector<TT> &tensors,
              const std::vector<std::pair<std::string, std::string>> &meta = {}) {
  std::string h = "{";
  Bytes data;
  bool first = true;
  if (!meta.empty()) {
    h += "\"__metadata__\":{";
    for (size_t i = 0; i < meta.size(); ++i)
      h += (i ? "," : "") + ("\"" + meta[i].first + "\":\"" + meta[i].second + "\"");
    h += "}";
    first = false;
  }
  for (const TT &t : tensors) {
    uint64_t b = data.size(), e = data.size() + t.bytes.size();
    if (t.offsets) {
      b = t.offsets->first;
      e = t.offsets->second;
    }
    data.insert(data.end(), t.bytes.begin(), t.bytes.end());
    h += (first ? "" : ",") + ("\"" + t.name + "\":{\"dtype\":\"" + t.dtype +
                               "\",\"shape\":" + shapeJson(t.shape) +
                               ",\"data_offsets\":[" + std::to_string(b) + "," +
                               std::to_string(e) + "]}");
    first = false;
  }
  return {h + "}", data};
}

/// length (u64 LE) | header | data. With pad, the header is space-padded so
/// the data section starts at a multiple of 8 (as safetensors writes it);
/// `extraPad` adds that many more spaces (to misalign data on purpose).
inline Bytes rawImage(std::string header, const Bytes &data, bool pad = true,
                      size_t extraPad = 0, std::optional<uint64_t> lengthField = {}) {
  if (pad)
    while ((8 + header.size()) % 8)
      header += ' ';
  header.append(extraPad, ' ');
  uint64_t n = lengthField ? *lengthField : header.size();
  Bytes out(8 + header.size() + data.size());
  for (int i = 0; i < 8; ++i)
    out[i] = uint8_t(n >> (8 * i));
  std::memcpy(out.data() + 8, header.data(), header.size());
  if (!data.empty())
    std::memcpy(out.data() + 8 + header.size(), data.data(), data.size());
  return out;
}

inline Bytes image(const std::vector<TT> &tensors,
                   const std::vector<std::pair<std::string, std::string>> &meta = {}) {
  auto [h, d] = headerAndData(tensors, meta);
  return rawImage(h, d);
}

inline void writeBytes(const std::string &path, const Bytes &b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char *>(b.data()), std::streamsize(b.size()));
  ASSERT_TRUE(bool(f)) << path;
}
inline void writeText(const std::string &path, const std::string &s) {
  std::ofstream f(path, std::ios::trunc);
  f << s;
  ASSERT_TRUE(bool(f)) << path;
}

/// A fresh directory per call, under gtest's temp dir.
inline std::string freshDir() {
  std::string tmpl = ::testing::TempDir() + "ssdc_weights_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const char *d = ::mkdtemp(buf.data());
  EXPECT_NE(d, nullptr);
  return d ? std::string(d) : std::string("/nonexistent");
}

/// Runs f, expecting a WeightsError whose message holds every fragment.
template <typename Error, typename F>
std::string expectError(F &&f, std::initializer_list<std::string> fragments) {
  try {
    f();
  } catch (const Error &e) {
    std::string msg = e.what();
    for (const std::string &frag : fragments)
      EXPECT_NE(msg.find(frag), std::string::npos)
          << "message lacks \"" << frag << "\": " << msg;
    return msg;
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

} // namespace ssdc::test

#endif // SSDC_TEST_WEIGHTS_SAFETENSORSWRITER_H
