//===- RunCommand.cpp - `ssdc run`: compile (cached) and generate ---------===//
//
// `ssdc run MODEL_DIR --prompt TEXT [generate options]` compiles MODEL_DIR for
// the CPU (for CUDA with --device cuda) unless an artifact for the same
// config, target and ssdc version is in the cache ($XDG_CACHE_HOME/ssdc or
// ~/.cache/ssdc, keyed by a hash of those), then runs `ssdc generate` on it
// with MODEL_DIR's weights.
//
//===----------------------------------------------------------------------===//

#include "tools/ssdc/Commands.h"
#include "tools/ssdc/CompileOptions.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>
#include <vector>

using namespace llvm;

namespace ssdc::driver {

static std::string cacheDir() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/ssdc";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/ssdc";
  return "/tmp/ssdc-cache";
}

int runCommand(int argc, char **argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    outs() << "usage: ssdc run MODEL_DIR --prompt TEXT [--max-new-tokens N] "
              "[generate options]\n\n"
              "Compiles MODEL_DIR for the CPU, or for CUDA with --device cuda "
              "(cached by\ncontent hash), and generates from it; options are "
              "those of `ssdc generate`\n(default --max-new-tokens 200).\n";
    return argc < 2 ? 2 : 0;
  }
  std::string model = argv[1];
  SmallString<256> configPath(model);
  if (sys::fs::is_directory(configPath))
    sys::path::append(configPath, "config.json");
  auto config = MemoryBuffer::getFile(configPath);
  if (!config) {
    errs() << "ssdc run: error: " << configPath
           << ": cannot read: " << config.getError().message() << "\n";
    return 1;
  }
  std::string target = "cpu";
  for (int i = 2; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--device" && std::string(argv[i + 1]) == "cuda")
      target = "cuda";
  std::string key = (*config)->getBuffer().str() + "\ntarget=" + target +
                    " dtype=f32 ssdc=0.1.0 plan=1";
  std::string artifact = cacheDir() + "/" + utohexstr(xxh3_64bits(key)) + ".ssdc";
  if (!sys::fs::exists(artifact + "/manifest.json")) {
    if (std::error_code ec = sys::fs::create_directories(cacheDir())) {
      errs() << "ssdc run: error: cannot create the cache " << cacheDir() << ": "
             << ec.message() << "\n";
      return 1;
    }
    CompileArgs c;
    c.model = model;
    c.target = target;
    c.output = artifact;
    if (int rc = compile(c))
      return rc;
  } else {
    errs() << "ssdc run: using the cached artifact " << artifact << "\n";
  }
  std::vector<std::string> args{"generate", artifact, "--weights", model};
  bool hasMax = false;
  for (int i = 2; i < argc; ++i) {
    hasMax |= std::string(argv[i]) == "--max-new-tokens";
    args.push_back(argv[i]);
  }
  if (!hasMax) {
    args.push_back("--max-new-tokens");
    args.push_back("200");
  }
  std::vector<char *> cargs;
  for (std::string &a : args)
    cargs.push_back(a.data());
  return generateCommand(static_cast<int>(cargs.size()), cargs.data());
}

} // namespace ssdc::driver
