//===- RecoverSSM.cpp - ssd-recover-ssm: ssd.sma (+ producers) → ssd.ssm --===//
//
// The reverse direction of the duality. Only a decay-mask sma whose
// producers are exactly the pattern ssd-normalize-duality emits (modulo
// casts) is folded; anything else is left as an sma.
//
//===----------------------------------------------------------------------===//

#include "passes/DualityUtils.h"
#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ssdc {
#define GEN_PASS_DEF_RECOVERSSM
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;

namespace {

struct SMAToSSM : OpRewritePattern<ssd::SMAOp> {
  SMAToSSM(MLIRContext *ctx, bool onlyScheduled)
      : OpRewritePattern(ctx), onlyScheduled(onlyScheduled) {}

  LogicalResult matchAndRewrite(ssd::SMAOp op,
                                PatternRewriter &rewriter) const override {
    if (onlyScheduled) {
      ssd::ScheduleAttr s = op.getScheduleAttr();
      if (!s || s.isChunked())
        return failure();
    }
    return rewriteSMAToSSM(rewriter, op);
  }

  bool onlyScheduled;
};

struct RecoverSSMPass : ssdc::impl::RecoverSSMBase<RecoverSSMPass> {
  using RecoverSSMBase::RecoverSSMBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SMAToSSM>(&getContext(), onlyScheduled);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
