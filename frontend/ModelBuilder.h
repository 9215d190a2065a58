//===- ModelBuilder.h - ModelConfig → level-1 `ssd` model IR -*- C++ -*-===//
//
// Builds a module with two entry functions (DESIGN.md level 1):
//
//   @prefill(ids: [b, l] i64) -> (logits [b, l, V] f32, states...)
//   @decode(ids: [b, 1] i64, states...) -> (logits [b, 1, V] f32, states...)
//
// States, in layer order: a Mamba-2 layer has its conv window [b, conv_dim, K]
// and SSM state [b, H, P, N] (f32); an attention layer its qkv conv window
// (when d_conv > 0) and its keys and values [b, s, hk, d]. Every state
// argument and result carries `ssd.state = "layers.<i>.<what>"`; ops carry a
// NameLoc of their layer ("backbone.layers.3.mixer").
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_FRONTEND_MODELBUILDER_H
#define SSDC_FRONTEND_MODELBUILDER_H

#include "frontend/ModelConfig.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ssdc::frontend {

/// Storage dtype of activations and matmul weights: "f32", "bf16" or "f16".
/// Decays, states, A, D, dt_bias and norm weights are f32 regardless.
mlir::OwningOpRef<mlir::ModuleOp>
buildModelIR(const ModelConfig &config, mlir::MLIRContext &context,
             llvm::StringRef dtype = "f32");

} // namespace ssdc::frontend

#endif // SSDC_FRONTEND_MODELBUILDER_H
