//===- CliArgs.h - the runtime commands' command-line parsing -*- C++ -*-===//
//
// `--flag value` pairs, switches and positionals, checked against the flags a
// command knows; numbers parsed with their allowed range in the message.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_TOOLS_SSDC_CLIARGS_H
#define SSDC_TOOLS_SSDC_CLIARGS_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ssdc::driver {

/// `--flag value` pairs and positionals, with the flags each command knows.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::map<std::string, bool> switches;
};

/// A bad command line (exit code 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parses argv[1..]; `-h`/`--help` sets switches["--help"]; unknown options throw.
Args parse(int argc, char **argv, const std::vector<std::string> &valued,
           const std::vector<std::string> &switches);

int64_t toInt(const std::string &flag, const std::string &text, int64_t min,
              int64_t max);
double toDouble(const std::string &flag, const std::string &text, double min,
                double max);

} // namespace ssdc::driver

#endif // SSDC_TOOLS_SSDC_CLIARGS_H
