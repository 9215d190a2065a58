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

Artifact loadArtifact(const std::string &dir, const std::string &device) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw RuntimeError(dir + ": not an artifact directory (make one with "
                             "`ssdc compile MODEL -o " + dir + "`)");
  Artifact a;
  a.path = dir;
  std::string manifestPath = dir + "/manifest.json";
  a.manifest = readJsonFile(manifestPath);
  const nlohmann::json &m = a.manifest;
  if (!m.is_object() || m.value("format", std::string()) != "ssdc-artifact")
    throw RuntimeError(manifestPath + ": not an ssdc artifact manifest "
                                      "(field 'format' is not \"ssdc-artifact\")");
  if (!m.contains("format_version") || !m["format_version"].is_number_integer())
    throw RuntimeError(manifestPath + ": field 'format_version' is missing");
  int version = m["format_version"].get<int>();
  if (version != kArtifactFormatVersion)
    throw RuntimeError(manifestPath + ": format_version " + std::to_string(version) +
                       ", but this ssdc reads format_version " +
                       std::to_string(kArtifactFormatVersion) +
                       "; recompile the model with this ssdc");
  a.target = m.value("target", std::string());
  if (a.target != device)
    throw RuntimeError(manifestPath + ": the artifact was compiled for target '" +
                       a.target + "', but it is run on '" + device +
                       "'; compile with --target " + device);
  a.dtype = m.value("dtype", std::string("f32"));
  a.plan = parsePlan(readJsonFile(dir + "/plan.json"), dir + "/plan.json");
  return a;
}

} // namespace ssdc::rt
