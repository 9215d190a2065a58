//===- ArtifactWriter.cpp - write an artifact directory atomically --------===//

#include "codegen/artifact/ArtifactWriter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ssdc::artifact {

void ArtifactWriter::add(StringRef name, std::string contents) {
  files.emplace_back(name.str(), std::move(contents));
}

void ArtifactWriter::addCopy(StringRef name, StringRef source) {
  copies.emplace_back(name.str(), source.str());
}

static Error fileError(const Twine &what, std::error_code ec) {
  return createStringError(ec, what + ": " + ec.message());
}

/// True for an empty directory or one whose manifest.json says
/// "format": "ssdc-artifact".
static bool isArtifactOrEmpty(StringRef dir) {
  std::error_code ec;
  sys::fs::directory_iterator it(dir, ec);
  if (!ec && it == sys::fs::directory_iterator())
    return true;
  SmallString<256> manifest(dir);
  sys::path::append(manifest, "manifest.json");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(manifest);
  if (!buffer)
    return false;
  Expected<json::Value> value = json::parse((*buffer)->getBuffer());
  if (!value) {
    consumeError(value.takeError());
    return false;
  }
  const json::Object *object = value->getAsObject();
  std::optional<StringRef> format =
      object ? object->getString("format") : std::nullopt;
  return format && *format == kFormatName;
}

Error ArtifactWriter::commit() {
  SmallString<256> finalPath(path);
  sys::path::remove_dots(finalPath, /*remove_dot_dot=*/true);
  StringRef parent = sys::path::parent_path(finalPath);
  if (!parent.empty() && !sys::fs::is_directory(parent))
    return createStringError(inconvertibleErrorCode(),
                             finalPath + ": the directory '" + parent +
                                 "' does not exist");
  if (sys::fs::exists(finalPath) && !sys::fs::is_directory(finalPath))
    return createStringError(inconvertibleErrorCode(),
                             finalPath + ": exists and is not an artifact "
                                         "directory; not replacing it");
  // Only an ssdc artifact (or an empty directory) is replaced: `-o MODEL_DIR`
  // once deleted the model directory, checkpoint included.
  if (sys::fs::is_directory(finalPath) && !isArtifactOrEmpty(finalPath))
    return createStringError(inconvertibleErrorCode(),
                             finalPath + ": exists and is not an ssdc artifact "
                                         "(no manifest.json with format "
                                         "\"ssdc-artifact\"); not replacing it");

  // Stage everything in a temporary sibling directory. The model must be
  // absolute: createUniqueDirectory puts a relative one under the system temp
  // directory (another file system, where the final rename fails).
  SmallString<256> staging;
  SmallString<256> model(finalPath);
  sys::fs::make_absolute(model);
  model += ".tmp-%%%%%%";
  if (std::error_code ec = sys::fs::createUniqueDirectory(model, staging))
    return fileError("cannot create a directory beside " + finalPath, ec);
  auto cleanup = [&] { sys::fs::remove_directories(staging); };
  // createUniqueDirectory appends its own suffix to the model; any name works.
  for (const auto &[name, contents] : files) {
    SmallString<256> file(staging);
    sys::path::append(file, name);
    std::error_code ec;
    raw_fd_ostream os(file, ec, sys::fs::OF_None);
    if (ec) {
      cleanup();
      return fileError("cannot write " + finalPath + "/" + name, ec);
    }
    os << contents;
    os.close();
    if (os.has_error()) {
      std::error_code err = os.error();
      os.clear_error();
      cleanup();
      return fileError("cannot write " + finalPath + "/" + name, err);
    }
  }

  for (const auto &[name, source] : copies) {
    SmallString<256> file(staging);
    sys::path::append(file, name);
    if (std::error_code ec = sys::fs::copy_file(source, file)) {
      cleanup();
      return fileError("cannot copy " + source + " into " + finalPath + "/" + name,
                       ec);
    }
  }

  // Move the old artifact aside, the new one in, then drop the old one.
  SmallString<256> old;
  if (sys::fs::exists(finalPath)) {
    old = (finalPath + ".old-" + sys::path::filename(staging)).str();
    if (std::error_code ec = sys::fs::rename(finalPath, old)) {
      cleanup();
      return fileError("cannot replace " + finalPath, ec);
    }
  }
  if (std::error_code ec = sys::fs::rename(staging, finalPath)) {
    if (!old.empty())
      sys::fs::rename(old, finalPath);
    cleanup();
    return fileError("cannot move the artifact into " + finalPath, ec);
  }
  if (!old.empty())
    sys::fs::remove_directories(old);
  return Error::success();
}

} // namespace ssdc::artifact
