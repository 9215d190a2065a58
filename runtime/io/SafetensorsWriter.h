// Writes a .safetensors file (8-byte little-endian header length, JSON header,
// data), atomically: to a temporary file beside the target, renamed into place
// only when complete.
#ifndef SSDC_RUNTIME_IO_SAFETENSORSWRITER_H
#define SSDC_RUNTIME_IO_SAFETENSORSWRITER_H

#include <cstdint>
#include <string>
#include <vector>

namespace ssdc::rt {

class SafetensorsWriter {
public:
  void addF32(const std::string &name, std::vector<int64_t> shape,
              std::vector<float> data);
  void addI64(const std::string &name, std::vector<int64_t> shape,
              std::vector<int64_t> data);
  /// Throws RuntimeError naming `path` if it cannot be written.
  void write(const std::string &path) const;

private:
  struct Entry {
    std::string name, dtype;
    std::vector<int64_t> shape;
    std::vector<char> bytes;
  };
  std::vector<Entry> entries;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_IO_SAFETENSORSWRITER_H
