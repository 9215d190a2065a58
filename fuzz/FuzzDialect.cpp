//===- FuzzDialect.cpp - libFuzzer target: the `ssd` dialect parser -------===//
//
// What `ssdc-opt FILE` does before any pass: parse the text with the `ssd`
// and `func` dialects registered, then verify. Parse and verifier errors are
// expected (they go to the diagnostic handler); crashes, assertion failures
// in our verifiers/attribute parsers and sanitizer reports are findings.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <cstdint>
#include <string>

// Debian's LLVM/MLIR libraries are not instrumented, but the LLVM headers
// compiled into this target poison BumpPtrAllocator slabs under ASan; the
// uninstrumented library code then trips over that poison (false reports in
// mlir::Dialect::addType). Ignore manual poisoning; ASan's own checks stay on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    r->insert<ssdc::ssd::SSDDialect, mlir::func::FuncDialect>();
    return r;
  }();
  // A fresh context per input: no state carried between inputs. Threading off
  // keeps the verifier on this thread.
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  mlir::ScopedDiagnosticHandler silence(&context,
                                        [](mlir::Diagnostic &) { return mlir::success(); });
  // MLIR's lexer expects the buffer to end in '\0' (files read through
  // MemoryBuffer do): a std::string copy provides it.
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context, "fuzz.mlir");
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
