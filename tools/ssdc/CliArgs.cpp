//===- CliArgs.cpp - the runtime commands' command-line parsing -----------===//

#include "tools/ssdc/CliArgs.h"

#include <cerrno>
#include <cstdlib>

namespace ssdc::driver {

Args parse(int argc, char **argv, const std::vector<std::string> &valued,
           const std::vector<std::string> &switches) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    bool known = false;
    for (const std::string &v : valued)
      if (s == v) {
        if (i + 1 >= argc)
          throw UsageError(s + " needs a value");
        a.values[s] = argv[++i];
        known = true;
      }
    for (const std::string &v : switches)
      if (s == v) {
        a.switches[s] = true;
        known = true;
      }
    if (known)
      continue;
    if (s == "-h" || s == "--help") {
      a.switches["--help"] = true;
      continue;
    }
    if (!s.empty() && s[0] == '-' && s.size() > 1)
      throw UsageError("unknown option '" + s + "'");
    a.positional.push_back(s);
  }
  return a;
}

int64_t toInt(const std::string &flag, const std::string &text, int64_t min,
              int64_t max) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < min || v > max)
    throw UsageError(flag + " must be an integer in [" + std::to_string(min) +
                     ", " + std::to_string(max) + "], got '" + text + "'");
  return v;
}

double toDouble(const std::string &flag, const std::string &text, double min,
                double max) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !(v >= min && v <= max))
    throw UsageError(flag + " must be a number in [" + std::to_string(min) +
                     ", " + std::to_string(max) + "], got '" + text + "'");
  return v;
}

} // namespace ssdc::driver
