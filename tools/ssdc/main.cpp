//===- main.cpp - `ssdc`: compile and run structured state-space models ---===//
//
// Dispatches to a subcommand. Without the compiler (SSDC_ENABLE_COMPILER=OFF,
// e.g. on the GPU machine) `compile` explains how to get it.
//
//===----------------------------------------------------------------------===//

#include "tools/ssdc/Commands.h"

#include <cstdio>
#include <cstring>
#include <string>

static void printUsage(std::FILE *out) {
  std::fprintf(out,
               "usage: ssdc <command> [options]\n"
               "\n"
               "ssdc compiles Mamba-2 and hybrid SSM/attention models into fast\n"
               "kernels and runs them.\n"
               "\n"
               "commands:\n"
               "  compile MODEL --target cpu|cuda -o OUT.ssdc\n"
               "          compile a model description (HF or mamba_ssm config.json,\n"
               "          a model directory, or model IR in .mlir) into an artifact;\n"
               "          `ssdc compile --help` lists its options\n"
               "  eval ARTIFACT --weights W --input-ids IN --output OUT\n"
               "          prefill logits of a batch of token ids\n"
               "  generate ARTIFACT --weights W (--prompt-ids 1,2,3 | --prompt TEXT)\n"
               "          --max-new-tokens N\n"
               "          generate tokens (greedy, or sampled with --temperature,\n"
               "          --top-k, --top-p, --seed)\n"
               "  run MODEL_DIR --prompt TEXT [...]\n"
               "          compile (cached by content hash) and generate\n"
               "  tune ARTIFACT --device cpu|cuda -o TUNING.json\n"
               "          time every SSD schedule of the plan (checked against\n"
               "          float64 first) for `ssdc compile --tuning-db`\n"
               "  help    this text\n"
               "\n"
               "`ssdc COMMAND --help` lists a command's options.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 2;
  }
  std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    printUsage(stdout);
    return 0;
  }
  if (command == "compile") {
#ifdef SSDC_HAVE_COMPILER
    return ssdc::driver::compileCommand(argc - 1, argv + 1);
#else
    std::fprintf(stderr, "ssdc: this build has no compiler (configured with "
                         "SSDC_ENABLE_COMPILER=OFF); compile on a machine "
                         "with MLIR 19 and copy the artifact here\n");
    return 2;
#endif
  }
#if defined(SSDC_HAVE_RUNTIME) && defined(SSDC_HAVE_COMPILER)
  if (command == "run")
    return ssdc::driver::runCommand(argc - 1, argv + 1);
#endif
#ifdef SSDC_HAVE_RUNTIME
  if (command == "eval")
    return ssdc::driver::evalCommand(argc - 1, argv + 1);
  if (command == "generate")
    return ssdc::driver::generateCommand(argc - 1, argv + 1);
  if (command == "tune")
    return ssdc::driver::tuneCommand(argc - 1, argv + 1);
#endif
  std::fprintf(stderr, "ssdc: unknown command '%s'\n\n", command.c_str());
  printUsage(stderr);
  return 2;
}
