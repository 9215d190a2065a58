//===- NormalizeDuality.cpp - ssd-normalize-duality: ssd.ssm → ssd.sma ----===//
//
// The normal form of the structured-matrix core is ssd.sma (the more general
// op: a causal-mask sma has no ssm form), so schedule selection and chunk
// decomposition see one op. The rewrite itself is in DualityUtils.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/DualityUtils.h"
#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ssdc {
#define GEN_PASS_DEF_NORMALIZEDUALITY
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;

namespace {

struct SSMToSMA : OpRewritePattern<ssd::SSMOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ssd::SSMOp op,
                                PatternRewriter &rewriter) const override {
    rewriteSSMToSMA(rewriter, op);
    return success();
  }
};

struct NormalizeDualityPass
    : ssdc::impl::NormalizeDualityBase<NormalizeDualityPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SSMToSMA>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
