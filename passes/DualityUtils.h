//===- DualityUtils.h - ssd.ssm <-> ssd.sma rewrites and matchers -*- C++ -*-===//
//
// The duality rewrites shared by ssd-normalize-duality, ssd-recover-ssm and
// ssd-fuse: building the elementwise dt processing and D-skip of the sma form,
// and recognising them again (peeling casts and reshapes the builders add).
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_DUALITYUTILS_H
#define SSDC_PASSES_DUALITYUTILS_H

#include "dialect/SSDDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <utility>

namespace ssdc {

/// dt processing `clamp(softplus(dt + bias))` recovered from elementwise ops.
struct DtChain {
  mlir::Value rawDt;    ///< the unprocessed dt [b,l,h] (any float type)
  mlir::Value bias;     ///< [h] f32, or null
  bool softplus = false;
  std::optional<std::pair<double, double>> limit;
};

/// A D-skip `add(y, mul(x, D'))` where D' is D [h] reshaped to [h,1] or D
/// [h,p] (either possibly cast to x's element type).
struct SkipMatch {
  ssd::AddOp add;
  mlir::Value x;
  mlir::Value D; ///< f32 [h] or [h,p]
};

/// Emits `clamp(softplus(f32(dt) + bias))`, each step only when asked.
mlir::Value buildDtProcessing(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value dt, mlir::Value bias, bool softplus,
                              std::optional<llvm::ArrayRef<double>> limit);

/// Peels clamp, softplus, add of a rank-1 f32 bias and a cast to f32 off
/// `processed` (outermost first, so only the ssm's order matches).
DtChain peelDtChain(mlir::Value processed);

/// Matches `logDecay = ssd.mul(dtp, A)` (either order), A rank-1 f32.
std::optional<std::pair<mlir::Value, mlir::Value>>
matchLogDecay(mlir::Value logDecay);

/// Matches `v = ssd.mul(x, reshape(dtp))` (the reshape adding a trailing 1,
/// dtp possibly cast); returns x or null.
mlir::Value matchScaledInput(mlir::Value v, mlir::Value dtp);

/// Matches y's only use being a D-skip of `x` (x null: any).
std::optional<SkipMatch> matchSkip(mlir::Value y, mlir::Value x);

/// Emits `y + x·D'`, shaping and casting D as needed.
mlir::Value buildSkip(mlir::OpBuilder &b, mlir::Location loc, mlir::Value y,
                      mlir::Value x, mlir::Value D);

/// ssd.ssm → elementwise dt processing, ssd.sma, D-skip. Keeps the schedule.
void rewriteSSMToSMA(mlir::RewriterBase &rewriter, ssd::SSMOp op);

/// ssd.sma (decay mask) with matching producers → ssd.ssm; fails when the
/// producers do not match (e.g. a causal mask, which has no ssm form).
mlir::LogicalResult rewriteSMAToSSM(mlir::RewriterBase &rewriter,
                                    ssd::SMAOp op);

} // namespace ssdc

#endif // SSDC_PASSES_DUALITYUTILS_H
