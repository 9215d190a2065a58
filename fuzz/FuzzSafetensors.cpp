//===- FuzzSafetensors.cpp - libFuzzer target: the safetensors reader -----===//
//
// Feeds arbitrary bytes to ssdc::SafetensorsFile::fromMemory (header length,
// header JSON, dtypes, shapes, offsets, overlaps, truncation) and, when a
// file is accepted, touches every byte of every tensor it reports so that an
// offset outside the image shows up under AddressSanitizer. A rejection must
// be a WeightsError naming the file; any other exception is a finding.
//
//===----------------------------------------------------------------------===//

#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/WeightsError.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A private copy: libFuzzer's buffer is exactly `size` bytes, so any read
  // past the end is reported; the copy keeps that property.
  std::vector<uint8_t> image(data, data + size);
  try {
    auto file = ssdc::SafetensorsFile::fromMemory(image.data(), image.size(),
                                                  "fuzz.safetensors");
    volatile uint8_t sink = 0;
    for (const ssdc::TensorInfo &t : file->tensors()) {
      const uint8_t *bytes = t.data;
      for (size_t i = 0; i < t.nbytes; ++i)
        sink ^= bytes[i];
      if (file->find(t.name) != &t)
        std::abort();
      if (t.dtype == ssdc::DType::I64 || t.dtype == ssdc::DType::I32)
        (void)ssdc::readInt64(t);
    }
    (void)sink;
  } catch (const ssdc::WeightsError &e) {
    if (std::strstr(e.what(), "fuzz.safetensors") == nullptr) {
      std::fprintf(stderr, "error message does not name the file: %s\n", e.what());
      std::abort();
    }
  }
  // Any other exception escapes and libFuzzer reports it as a crash.
  return 0;
}
