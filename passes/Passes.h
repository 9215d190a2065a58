//===- Passes.h - ssdc passes and the compile pipeline ----------*- C++ -*-===//
//
// Declarations of every ssdc pass (generated from Passes.td), their
// registration, and the pipeline builder the driver and lit share.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_PASSES_H
#define SSDC_PASSES_PASSES_H

#include "dialect/SSDDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace ssdc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// What the driver (or `ssd-compile-pipeline`) asks of the pipeline.
struct CompileOptions {
  std::string target = "cuda-sm90";       ///< cpu | cuda-sm90
  std::vector<int64_t> buckets;           ///< empty = 1,64,512,4096
  std::vector<int64_t> chunkSizes;        ///< empty = 32,64,128,256
  int64_t batch = 1;
  std::string tuningDb;                   ///< empty = none
  std::string device;                     ///< empty = any tuning-db device
  bool explain = false;
  bool fuse = true;
  /// GPU targets: "fused" keeps a chunked SSD whole where the fused CUDA
  /// kernel supports its shape (else the four chunk kernels); "staged"
  /// always decomposes it into the four chunk ops.
  std::string chunkedForm = "staged";
};

/// normalize-duality, select-schedule, decompose-chunked, fuse (in order).
void buildCompilePipeline(mlir::OpPassManager &pm, const CompileOptions &opts);

/// Registers every ssdc pass and `ssd-compile-pipeline`.
void registerSSDCPasses();

/// Registers the global `--ssd-explain` flag (call before parsing options).
void registerSSDCCLOptions();

/// True when `--ssd-explain` was given on the command line.
bool explainRequestedOnCommandLine();

} // namespace ssdc

#endif // SSDC_PASSES_PASSES_H
