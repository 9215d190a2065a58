//===- FuzzPlan.cpp - libFuzzer target: artifact plan.json and manifest ---===//
//
// Parses the input as JSON (as readJsonFile does), then runs both artifact
// readers on it: ssdc::rt::parsePlan (plan.json) and ssdc::rt::checkManifest
// (manifest.json). A rejection must be a RuntimeError naming the file; a
// nlohmann type/out-of-range exception escaping the readers is a finding (the
// CLI would print it without the file name).
//
//===----------------------------------------------------------------------===//

#include "runtime/core/Artifact.h"
#include "runtime/core/Error.h"
#include "runtime/core/Plan.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
void expectNamed(const ssdc::rt::RuntimeError &e, const char *file) {
  if (std::strstr(e.what(), file) == nullptr) {
    std::fprintf(stderr, "error message does not name %s: %s\n", file, e.what());
    std::abort();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded())
    return 0; // readJsonFile reports "not valid JSON" for these
  try {
    ssdc::rt::Plan plan = ssdc::rt::parsePlan(json, "fuzz/plan.json");
    for (const char *entry : {"prefill", "decode"}) {
      try {
        (void)plan.select(entry, 1);
      } catch (const ssdc::rt::RuntimeError &) {
      }
    }
  } catch (const ssdc::rt::RuntimeError &e) {
    expectNamed(e, "fuzz/plan.json");
  }
  try {
    ssdc::rt::Artifact artifact;
    artifact.manifest = json;
    ssdc::rt::checkManifest(artifact, "fuzz/manifest.json", "cpu");
  } catch (const ssdc::rt::RuntimeError &e) {
    expectNamed(e, "fuzz/manifest.json");
  }
  return 0;
}
