// Artifact loading: manifest.json checks, then plan.json.
#include "runtime/core/Artifact.h"

#include "runtime/core/Error.h"

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace ssdc::rt {

nlohmann::json readJsonFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error &e) {
    throw RuntimeError(path + ": not valid JSON: " + e.what());
  }
}

void checkManifest(Artifact &a, const std::string &manifestPath,
                   const std::string &device) {
  const nlohmann::json &m = a.manifest;
  if (!m.is_object() || !m.contains("format") || !m["format"].is_string() ||
      m["format"].get<std::string>() != "ssdc-artifact")
    throw RuntimeError(manifestPath + ": not an ssdc artifact manifest "
                                      "(field 'format' is not \"ssdc-artifact\")");
  if (!m.contains("format_version") || !m["format_version"].is_number_integer())
    throw RuntimeError(manifestPath + ": field 'format_version' is missing");
  int64_t version = m["format_version"].get<int64_t>();
  if (version != kArtifactFormatVersion)
    throw RuntimeError(manifestPath + ": format_version " + std::to_string(version) +
                       ", but this ssdc reads format_version " +
                       std::to_string(kArtifactFormatVersion) +
                       "; recompile the model with this ssdc");
  for (const char *key : {"target", "dtype"})
    if (m.contains(key) && !m[key].is_string())
      throw RuntimeError(manifestPath + ": field '" + key + "' must be a string");
  a.target = m.value("target", std::string());
  if (a.target != device)
    throw RuntimeError(manifestPath + ": the artifact was compiled for target '" +
                       a.target + "', but it is run on '" + device +
                       "'; compile with --target " + device);
  a.dtype = m.value("dtype", std::string("f32"));
}

Artifact loadArtifact(const std::string &dir, const std::string &device) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw RuntimeError(dir + ": not an artifact directory (make one with "
                             "`ssdc compile MODEL -o " + dir + "`)");
  Artifact a;
  a.path = dir;
  std::string manifestPath = dir + "/manifest.json";
  a.manifest = readJsonFile(manifestPath);
  checkManifest(a, manifestPath, device);
  a.plan = parsePlan(readJsonFile(dir + "/plan.json"), dir + "/plan.json");
  return a;
}

} // namespace ssdc::rt
