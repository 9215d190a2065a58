// SafetensorsFile: one .safetensors file, memory-mapped read-only and
// validated strictly when opened (header length, header JSON, dtypes, shapes
// vs. byte spans, offsets within the data section, overlaps, truncation).
// Every failure throws ssdc::WeightsError naming the file and the tensor.
#ifndef SSDC_WEIGHTS_SAFETENSORSFILE_H
#define SSDC_WEIGHTS_SAFETENSORSFILE_H

#include "ssdc/weights/TensorInfo.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssdc {

class MappedFile;

class SafetensorsFile {
public:
  /// Largest header accepted (the safetensors reference limit, 100 MB).
  static constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

  /// Maps and validates `path`. Throws WeightsError.
  static std::unique_ptr<SafetensorsFile> open(const std::string &path);
  /// Validates a safetensors image already in memory (fuzzing, tests). The
  /// bytes are not copied: they must outlive the returned object. `label`
  /// stands for the file name in messages.
  static std::unique_ptr<SafetensorsFile>
  fromMemory(const void *data, size_t size, const std::string &label);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;

  const std::string &path() const { return path_; }
  /// The optional "__metadata__" string map.
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  /// All tensors, sorted by name.
  const std::vector<TensorInfo> &tensors() const { return tensors_; }
  /// nullptr when absent.
  const TensorInfo *find(const std::string &name) const;

private:
  SafetensorsFile() = default;
  void parse(const uint8_t *bytes, size_t size);

  std::string path_;
  std::unique_ptr<MappedFile> mapping_;
  std::map<std::string, std::string> metadata_;
  std::vector<TensorInfo> tensors_;
};

/// The elements of an I64 or I32 tensor as int64 (ids, e.g. `input_ids`).
/// Throws WeightsError for other dtypes.
std::vector<int64_t> readInt64(const TensorInfo &t);

} // namespace ssdc

#endif // SSDC_WEIGHTS_SAFETENSORSFILE_H
