// Atomic .safetensors writer.
#include "runtime/io/SafetensorsWriter.h"

#include "runtime/core/Error.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace ssdc::rt {

void SafetensorsWriter::addF32(const std::string &name, std::vector<int64_t> shape,
                               std::vector<float> data) {
  Entry e{name, "F32", std::move(shape), {}};
  e.bytes.resize(data.size() * sizeof(float));
  std::memcpy(e.bytes.data(), data.data(), e.bytes.size());
  entries.push_back(std::move(e));
}

void SafetensorsWriter::addI64(const std::string &name, std::vector<int64_t> shape,
                               std::vector<int64_t> data) {
  Entry e{name, "I64", std::move(shape), {}};
  e.bytes.resize(data.size() * sizeof(int64_t));
  std::memcpy(e.bytes.data(), data.data(), e.bytes.size());
  entries.push_back(std::move(e));
}

void SafetensorsWriter::write(const std::string &path) const {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const Entry &e : entries) {
    header[e.name] = {{"dtype", e.dtype},
                      {"shape", e.shape},
                      {"data_offsets", {offset, offset + e.bytes.size()}}};
    offset += e.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  uint64_t length = text.size();

  std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw RuntimeError(path + ": cannot write: " + std::strerror(errno));
  unsigned char le[8];
  for (int i = 0; i < 8; ++i)
    le[i] = static_cast<unsigned char>(length >> (8 * i));
  bool ok = std::fwrite(le, 1, 8, f) == 8 &&
            std::fwrite(text.data(), 1, text.size(), f) == text.size();
  for (const Entry &e : entries)
    ok = ok && std::fwrite(e.bytes.data(), 1, e.bytes.size(), f) == e.bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw RuntimeError(path + ": cannot write: " + std::strerror(err));
  }
}

} // namespace ssdc::rt
