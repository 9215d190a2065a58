//===- CompileOptions.h - `ssdc compile` command line ---------*- C++ -*-===//

#ifndef SSDC_TOOLS_SSDC_COMPILEOPTIONS_H
#define SSDC_TOOLS_SSDC_COMPILEOPTIONS_H

#include <optional>
#include <string>

namespace ssdc::driver {

struct CompileArgs {
  std::string model;       ///< config.json, model directory, or .mlir
  std::string target = "cpu";
  std::string output;      ///< artifact directory, or the file for --emit
  std::string emit;        ///< "", model-ir, scheduled-ir, plan
  std::string tuningDb;
  std::string dtype = "f32";
  std::string chunkedForm = "fused";  ///< --target cuda: fused | staged
  bool explain = false;
  bool help = false;
};

/// Parses `compile`'s arguments (argv[0] is "compile"). On a bad command line
/// returns std::nullopt after printing what is wrong.
std::optional<CompileArgs> parseCompileArgs(int argc, char **argv);

void printCompileHelp();

/// Runs the compiler on parsed arguments; returns the exit code.
int compile(const CompileArgs &args);

} // namespace ssdc::driver

#endif // SSDC_TOOLS_SSDC_COMPILEOPTIONS_H
