//===- FuzzConfig.cpp - libFuzzer target: HF / mamba_ssm config.json ------===//
//
// Feeds arbitrary bytes to ssdc::frontend::parseModelConfig, the reader behind
// `ssdc compile`. A well-formed rejection is an llvm::Error whose message
// names the file; anything else (a crash, a sanitizer report, an error that
// does not name the file) is a finding.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelConfig.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

// Debian's LLVM/MLIR libraries are not instrumented, but the LLVM headers
// compiled into this target poison BumpPtrAllocator slabs under ASan; the
// uninstrumented library code then trips over that poison (false reports in
// mlir::Dialect::addType). Ignore manual poisoning; ASan's own checks stay on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<ssdc::frontend::ModelConfig> config =
      ssdc::frontend::parseModelConfig(text, "fuzz/config.json");
  if (config) {
    // An accepted config must be serialisable (the artifact manifest).
    (void)ssdc::frontend::toJSON(*config);
    return 0;
  }
  std::string message = llvm::toString(config.takeError());
  if (message.find("fuzz/config.json") == std::string::npos) {
    std::fprintf(stderr, "error message does not name the file: %s\n",
                 message.c_str());
    std::abort();
  }
  return 0;
}
