//===- CompileCommand.cpp - `ssdc compile` --------------------------------===//
//
// The stages, each of which --emit can stop at:
//   model-ir      frontend: config.json → `ssd` model IR (or a .mlir given)
//   scheduled-ir  the compile pipeline: duality normal form, schedule
//                 selection, chunk decomposition, fusion
//   plan          bufferised kernel launches per entry function (plan.json)
// Without --emit the artifact directory is written, all at once.
//
//===----------------------------------------------------------------------===//

#include "codegen/artifact/ArtifactWriter.h"
#include "codegen/cuda/CudaEmitter.h"
#include "codegen/plan/PlanBuilder.h"
#include "dialect/SSDDialect.h"
#include "frontend/ModelBuilder.h"
#include "frontend/ModelConfig.h"
#include "passes/Passes.h"
#include "tools/ssdc/Commands.h"
#include "tools/ssdc/CompileOptions.h"

#include "ssdc/cpu_kernel_table.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <optional>

using namespace mlir;
using namespace llvm;

namespace ssdc::driver {
namespace {

constexpr const char *kVersion = "0.1.0";

int error(const Twine &message) {
  errs() << "ssdc compile: error: " << message << "\n";
  return 1;
}

/// Prints `text` to `output` (a file) or standard output.
int emitText(StringRef output, llvm::function_ref<void(raw_ostream &)> print) {
  if (output.empty() || output == "-") {
    print(outs());
    return 0;
  }
  std::string err;
  auto file = mlir::openOutputFile(output, &err);
  if (!file)
    return error(output + ": " + err);
  print(file->os());
  file->keep();
  return 0;
}

/// IR as people read it: pretty form, with each op's layer location.
void printIR(Operation *op, raw_ostream &os) {
  op->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                  /*prettyForm=*/true));
}

std::string printOp(Operation *op) {
  std::string text;
  raw_string_ostream os(text);
  printIR(op, os);
  return text;
}

/// The CPU kernel library to copy: $SSDC_CPU_KERNEL_LIBRARY, else the one
/// built with this ssdc (build tree), else ../lib beside the executable.
std::string cpuKernelLibrary() {
  if (const char *env = std::getenv("SSDC_CPU_KERNEL_LIBRARY"); env && *env)
    return env;
#ifdef SSDC_CPU_KERNEL_LIBRARY
  if (sys::fs::exists(SSDC_CPU_KERNEL_LIBRARY))
    return SSDC_CPU_KERNEL_LIBRARY;
#endif
  std::string exe = sys::fs::getMainExecutable(nullptr, nullptr);
  SmallString<256> lib(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(lib, "lib", "libssdc_cpu_kernels.so");
  return sys::fs::exists(lib) ? std::string(lib) : std::string();
}

} // namespace

int compileCommand(int argc, char **argv) {
  std::optional<CompileArgs> args = parseCompileArgs(argc, argv);
  if (!args)
    return 2;
  if (args->help) {
    printCompileHelp();
    return 0;
  }
  return compile(*args);
}

int compile(const CompileArgs &args) {

  MLIRContext context;
  context.loadDialect<ssd::SSDDialect, func::FuncDialect>();
  // Diagnostics go to stderr with their locations (for .mlir input).
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context, errs());

  // Stage 1: model IR.
  OwningOpRef<ModuleOp> module;
  std::optional<frontend::ModelConfig> config;
  if (StringRef(args.model).ends_with(".mlir")) {
    module = parseSourceFile<ModuleOp>(args.model, sourceMgr, &context);
    if (!module)
      return error(args.model + ": not valid `ssd` IR (see above)");
  } else {
    Expected<frontend::ModelConfig> read = frontend::readModelConfig(args.model);
    if (!read)
      return error(toString(read.takeError()));
    config = std::move(*read);
    for (const std::string &field : config->ignoredFields)
      errs() << "ssdc compile: warning: " << config->sourceFile
             << ": ignoring unknown field '" << field << "'\n";
    module = frontend::buildModelIR(*config, context, args.dtype);
  }
  if (failed(verify(*module)))
    return error(args.model + ": the model IR does not verify (see above)");
  if (args.emit == "model-ir")
    return emitText(args.output, [&](raw_ostream &os) { printIR(*module, os); });

  // Stage 2: scheduled IR.
  CompileOptions options;
  options.target = args.target == "cuda" ? "cuda-sm90" : "cpu";
  options.tuningDb = args.tuningDb;
  options.chunkedForm = args.chunkedForm;
  options.explain = args.explain;
  PassManager pm(&context);
  buildCompilePipeline(pm, options);
  if (failed(pm.run(*module)))
    return error(args.model + ": compilation failed (see above)");
  if (args.emit == "scheduled-ir")
    return emitText(args.output, [&](raw_ostream &os) { printIR(*module, os); });

  // Stage 3: the plan.
  FailureOr<json::Value> plan = plan::buildPlan(*module);
  if (failed(plan))
    return error(args.model + ": cannot lower to a plan (see above)");
  if (args.emit == "plan")
    return emitText(args.output,
                    [&](raw_ostream &os) { os << formatv("{0:2}", *plan) << "\n"; });

  json::Object manifest{
      {"format", artifact::kFormatName},
      {"format_version", artifact::kFormatVersion},
      {"ssdc_version", kVersion},
      {"target", args.target},
      {"dtype", args.dtype},
      {"source", args.model},
      {"schedules", plan::summariseSchedules(*module)},
      {"files", json::Array{"plan.json", "plan.mlir"}}};
  if (config)
    manifest["config"] = frontend::toJSON(*config);

  artifact::ArtifactWriter writer(args.output);
  if (args.target == "cpu") {
    // The Halide kernels, AOT-compiled for the host when ssdc was built, go
    // into the artifact; the runtime dlopens them (and needs no Halide).
    std::string kernels = cpuKernelLibrary();
    if (kernels.empty())
      return error("no CPU kernel library to put into the artifact: this ssdc "
                   "was built with SSDC_ENABLE_CPU_KERNELS=OFF (or set "
                   "SSDC_CPU_KERNEL_LIBRARY to a libssdc_cpu_kernels.so)");
    writer.addCopy("libkernels.so", kernels);
    manifest["cpu_kernels"] = json::Object{{"file", "libkernels.so"},
                                           {"abi", cpu::kKernelTableAbi}};
    (*manifest.getArray("files")).push_back("libkernels.so");
  }
  std::string fatbinTemp;
  if (args.target == "cuda") {
    // kernels.cu from the plan, and kernels.fatbin when nvcc is here.
    cuda::EmittedKernels kernels = cuda::emitKernels(formatv("{0:2}", *plan).str());
    for (const std::string &op : kernels.unsupported)
      errs() << "ssdc compile: warning: no CUDA kernel for " << op
             << " yet; --device cuda will stop there\n";
    json::Array names;
    for (const std::string &name : kernels.kernels)
      names.push_back(name);
    json::Object cudaKernels{{"source", "kernels.cu"},
                             {"kernels", std::move(names)},
                             {"nvcc_flags", cuda::nvccFlags()},
                             {"template_abi", cuda::templateAbi()}};
    writer.add("kernels.cu", kernels.source);
    (*manifest.getArray("files")).push_back("kernels.cu");
    std::string nvcc = cuda::findNvcc();
    if (nvcc.empty()) {
      errs() << "ssdc compile: warning: nvcc not found (set SSDC_NVCC): the "
                "artifact has kernels.cu but no kernels.fatbin\n";
      cudaKernels["file"] = nullptr;
    } else {
      SmallString<128> tmp;
      if (std::error_code ec = sys::fs::createTemporaryFile("ssdc-kernels", "fatbin", tmp))
        return error("cannot create a temporary file: " + ec.message());
      fatbinTemp = tmp.str().str();
      std::string failed = cuda::compileFatbin(nvcc, kernels.source, fatbinTemp);
      if (!failed.empty()) {
        sys::fs::remove(fatbinTemp);
        return error("compiling kernels.cu: " + failed);
      }
      writer.addCopy("kernels.fatbin", fatbinTemp);
      cudaKernels["file"] = "kernels.fatbin";
      (*manifest.getArray("files")).push_back("kernels.fatbin");
    }
    manifest["cuda_kernels"] = std::move(cudaKernels);
  }
  writer.add("manifest.json",
             formatv("{0:2}", json::Value(std::move(manifest))).str() + "\n");
  writer.add("plan.json", formatv("{0:2}", *plan).str() + "\n");
  writer.add("plan.mlir", printOp(*module));
  Error committed = writer.commit();
  if (!fatbinTemp.empty())
    sys::fs::remove(fatbinTemp);
  if (committed)
    return error(toString(std::move(committed)));
  errs() << "ssdc compile: wrote " << args.output << "\n";
  return 0;
}

} // namespace ssdc::driver
