//===- PlanBuilder.h - scheduled IR → the plan (IR level 5) ---*- C++ -*-===//
//
// The plan is what the runtime executes: for each public function of the
// module (the entry points @prefill and @decode, and their per-length-bucket
// versions), named buffers with symbolic shapes and an ordered list of kernel
// launches. Shapes are symbolic in the batch `b`, the length `l`, the chunk
// count `ceil(l/Q)` and cache lengths; the runtime binds them per call.
//
// Buffers are of four kinds: "input" (a function argument), "weight" (an
// `ssd.weight`), "activation" (written by one launch) and "view" (a column
// range of another buffer, from `ssd.split`, or the same memory reshaped,
// from `ssd.reshape`) — views cost no launch and no copy.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_CODEGEN_PLAN_PLANBUILDER_H
#define SSDC_CODEGEN_PLAN_PLANBUILDER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

namespace ssdc::plan {

constexpr int kPlanVersion = 1;

/// Lowers every public function of `module` to the plan's JSON. Emits a
/// diagnostic on the op it cannot lower (e.g. a call: inline first).
mlir::FailureOr<llvm::json::Value> buildPlan(mlir::ModuleOp module);

/// One entry per structured-matrix op (ssm, sma, attention, chunk ops): the
/// function, the layer (its location), the op and its schedule with source.
llvm::json::Value summariseSchedules(mlir::ModuleOp module);

} // namespace ssdc::plan

#endif // SSDC_CODEGEN_PLAN_PLANBUILDER_H
