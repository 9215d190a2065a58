//===- SSDDialect.cpp - registration of the `ssd` dialect -----------------===//

#include "dialect/SSDDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ssdc::ssd;

#include "dialect/SSDDialect.cpp.inc"

void SSDDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/SSDOps.cpp.inc"
      >();
  registerAttributes();
}

#define GET_OP_CLASSES
#include "dialect/SSDOps.cpp.inc"
