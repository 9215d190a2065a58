//===- Commands.h - the ssdc driver's subcommands -------------*- C++ -*-===//
//
// `ssdc <command> ...`. Each command returns the process exit code and prints
// its own errors (to stderr, naming the file and what is wrong).
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_TOOLS_SSDC_COMMANDS_H
#define SSDC_TOOLS_SSDC_COMMANDS_H

namespace ssdc::driver {

/// `ssdc compile MODEL --target cpu|cuda -o OUT.ssdc [...]`.
/// Defined in CompileCommand.cpp when the compiler is built.
int compileCommand(int argc, char **argv);

/// `ssdc eval ARTIFACT --weights W --input-ids IN --output OUT`.
int evalCommand(int argc, char **argv);

/// `ssdc generate ARTIFACT --weights W (--prompt-ids ... | --prompt TEXT) ...`.
int generateCommand(int argc, char **argv);

/// `ssdc run MODEL_DIR --prompt TEXT ...`: compile (cached), then generate.
int runCommand(int argc, char **argv);

/// `ssdc tune`: measured schedule times for `ssdc compile --tuning-db`.
int tuneCommand(int argc, char **argv);

} // namespace ssdc::driver

#endif // SSDC_TOOLS_SSDC_COMMANDS_H
