//===- ssdc-opt.cpp - the `ssd` dialect's opt tool (for lit tests) --------===//
//
// Registers the `ssd` dialect, the upstream dialects model IR uses, and every
// ssdc pass; everything else is MlirOptMain.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<ssdc::ssd::SSDDialect, mlir::func::FuncDialect>();
  // Upstream cleanups (canonicalize, cse, ...) are useful between ssdc passes.
  mlir::registerTransformsPasses();
  ssdc::registerSSDCPasses();
  ssdc::registerSSDCCLOptions();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ssdc optimizer driver\n", registry));
}
