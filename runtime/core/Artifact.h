// An artifact directory as the runtime loads it: the manifest is checked first
// (format name, format version, target) before anything else is read.
#ifndef SSDC_RUNTIME_ARTIFACT_H
#define SSDC_RUNTIME_ARTIFACT_H

#include "runtime/core/Plan.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ssdc::rt {

constexpr int kArtifactFormatVersion = 1;

struct Artifact {
  std::string path;
  nlohmann::json manifest;
  std::string target;   ///< "cpu" / "cuda"
  std::string dtype;
  Plan plan;
};

/// Loads `dir`; `device` is where it will run ("cpu" or "cuda"). Throws
/// RuntimeError naming the file and what is wrong.
Artifact loadArtifact(const std::string &dir, const std::string &device);

/// Reads a JSON file, with errors that name it.
/// The manifest checks of loadArtifact on `a.manifest` (format name, format
/// version, target == `device`, field types); fills a.target and a.dtype.
/// Throws RuntimeError naming `manifestPath`. Separate for tests and fuzzing.
void checkManifest(Artifact &a, const std::string &manifestPath,
                   const std::string &device);

nlohmann::json readJsonFile(const std::string &path);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_ARTIFACT_H
