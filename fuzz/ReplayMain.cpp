//===- ReplayMain.cpp - run a fuzz target's entry point on saved inputs ---===//
//
// A main() for the fuzz targets in the normal (gcc) build: every file named on
// the command line, or found directly inside a directory named there, is
// passed to LLVMFuzzerTestOneInput once. ctest runs this over
// fuzz/regressions/<target>/ (inputs that once crashed a target) and the seed
// corpora, so a fixed crash stays fixed without clang or libFuzzer.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int runFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

int main(int argc, char **argv) {
  int failures = 0, count = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    struct stat st {};
    if (stat(arg.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *dir = opendir(arg.c_str());
      while (dirent *e = dir ? readdir(dir) : nullptr) {
        std::string name = e->d_name;
        if (name == "." || name == ".." || name == "README.md")
          continue;
        failures += runFile(arg + "/" + name);
        ++count;
      }
      if (dir)
        closedir(dir);
    } else {
      failures += runFile(arg);
      ++count;
    }
  }
  std::printf("replayed %d inputs, %d unreadable\n", count, failures);
  return failures == 0 && count > 0 ? 0 : 1;
}
