// MappedFile: a whole regular file mapped read-only (mmap), unmapped on
// destruction. Internal to ssdc_weights.
#ifndef SSDC_WEIGHTS_MAPPEDFILE_H
#define SSDC_WEIGHTS_MAPPEDFILE_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ssdc {

class MappedFile {
public:
  /// Throws WeightsError (naming the path and errno text) on failure. An
  /// empty file gives size() == 0 and data() == nullptr.
  static std::unique_ptr<MappedFile> open(const std::string &path);
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

private:
  MappedFile() = default;
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

} // namespace ssdc

#endif // SSDC_WEIGHTS_MAPPEDFILE_H
