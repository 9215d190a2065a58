//===- CompileOptions.cpp - `ssdc compile` command line -------------------===//

#include "tools/ssdc/CompileOptions.h"

#include <cstdio>
#include <cstring>
#include <initializer_list>

namespace ssdc::driver {

void printCompileHelp() {
  std::printf(
      "usage: ssdc compile MODEL [--target cpu|cuda] -o OUT.ssdc [options]\n"
      "\n"
      "MODEL is an HF Mamba2 or mamba_ssm config.json, a model directory holding\n"
      "one, or model IR (.mlir). The artifact OUT.ssdc/ holds manifest.json,\n"
      "plan.json and plan.mlir; it is written only when compilation succeeds.\n"
      "\n"
      "options:\n"
      "  --target cpu|cuda        what to compile for (default cpu)\n"
      "  -o, --output PATH        the artifact directory; with --emit, the file\n"
      "                           to print to (default: standard output)\n"
      "  --emit STAGE             stop and print one IR level instead of writing\n"
      "                           an artifact: model-ir, scheduled-ir, plan\n"
      "  --dtype f32|bf16|f16     activation and weight dtype (default f32)\n"
      "  --tuning-db FILE         measured schedule timings that override the\n"
      "                           cost model for the shapes they cover\n"
      "  --chunked-form fused|staged\n"
      "                           --target cuda: run a chunked SSD as one fused\n"
      "                           kernel where its shape allows (fused, the\n"
      "                           default), or as the four chunk kernels (staged)\n"
      "  --explain                print, per layer and length bucket, the cost of\n"
      "                           each schedule and the choice\n"
      "  -h, --help               this text\n");
}

static bool oneOf(const std::string &value,
                  std::initializer_list<const char *> allowed) {
  for (const char *a : allowed)
    if (value == a)
      return true;
  return false;
}

std::optional<CompileArgs> parseCompileArgs(int argc, char **argv) {
  CompileArgs args;
  auto fail = [](const std::string &message) {
    std::fprintf(stderr, "ssdc compile: %s (see ssdc compile --help)\n",
                 message.c_str());
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string &out) -> bool {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      args.help = true;
    } else if (a == "--target") {
      if (!value(args.target))
        return fail("--target needs a value: cpu or cuda");
    } else if (a == "-o" || a == "--output") {
      if (!value(args.output))
        return fail(a + " needs a path");
    } else if (a == "--emit") {
      if (!value(args.emit))
        return fail("--emit needs a stage: model-ir, scheduled-ir or plan");
    } else if (a == "--dtype") {
      if (!value(args.dtype))
        return fail("--dtype needs a value: f32, bf16 or f16");
    } else if (a == "--tuning-db") {
      if (!value(args.tuningDb))
        return fail("--tuning-db needs a file");
    } else if (a == "--chunked-form") {
      if (!value(args.chunkedForm))
        return fail("--chunked-form needs a value: fused or staged");
    } else if (a == "--explain") {
      args.explain = true;
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option '" + a + "'");
    } else if (args.model.empty()) {
      args.model = a;
    } else {
      return fail("more than one MODEL given ('" + args.model + "' and '" + a +
                  "')");
    }
  }
  if (args.help)
    return args;
  if (args.model.empty())
    return fail("no MODEL given");
  if (!oneOf(args.target, {"cpu", "cuda"}))
    return fail("unknown target '" + args.target + "', expected cpu or cuda");
  if (!oneOf(args.emit, {"", "model-ir", "scheduled-ir", "plan"}))
    return fail("unknown stage '" + args.emit +
                "' for --emit, expected model-ir, scheduled-ir or plan");
  if (!oneOf(args.dtype, {"f32", "bf16", "f16"}))
    return fail("unknown dtype '" + args.dtype + "', expected f32, bf16 or f16");
  if (!oneOf(args.chunkedForm, {"fused", "staged"}))
    return fail("unknown chunked form '" + args.chunkedForm +
                "', expected fused or staged");
  if (args.emit.empty() && args.output.empty())
    return fail("no output: give -o OUT.ssdc (or --emit STAGE to print)");
  return args;
}

} // namespace ssdc::driver
