//===- ArtifactWriter.h - write an artifact directory atomically -*- C++ -*-===//
//
// An artifact is a directory NAME.ssdc/ (DESIGN.md "Artifact"). Files are
// staged in a sibling temporary directory and moved into place only when all
// of them were written, so a failed compile never leaves a half-written
// artifact; an existing artifact at the same path is replaced only then.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_CODEGEN_ARTIFACTWRITER_H
#define SSDC_CODEGEN_ARTIFACTWRITER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace ssdc::artifact {

/// The manifest's format name and version; the runtime checks both first.
constexpr const char *kFormatName = "ssdc-artifact";
constexpr int kFormatVersion = 1;

class ArtifactWriter {
public:
  /// `path` is the final directory, e.g. "out/model.ssdc".
  explicit ArtifactWriter(llvm::StringRef path) : path(path.str()) {}

  /// Queues a file (relative name, contents).
  void add(llvm::StringRef name, std::string contents);
  /// Queues a copy of the file at `source` (e.g. the CPU kernel library);
  /// read at commit time, an unreadable source fails the commit.
  void addCopy(llvm::StringRef name, llvm::StringRef source);

  /// Writes every queued file into a temporary directory beside `path`, then
  /// swaps it into place. On failure nothing is left behind.
  llvm::Error commit();

private:
  std::string path;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::pair<std::string, std::string>> copies;
};

} // namespace ssdc::artifact

#endif // SSDC_CODEGEN_ARTIFACTWRITER_H
