//===- SSDDialect.h - the `ssd` dialect: ops, attributes ------*- C++ -*-===//
//
// The one header to include for anything in the `ssd` dialect.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_DIALECT_SSDDIALECT_H
#define SSDC_DIALECT_SSDDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/SSDDialect.h.inc"
#include "dialect/SSDEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/SSDAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/SSDOps.h.inc"

#endif // SSDC_DIALECT_SSDDIALECT_H
