//===- FuseResidual.cpp - ssd-fuse-residual: residual adds into the GEMM --===//
//
// `add(linear(x, w), r)` → `linear(x, w) residual(r)`: the residual stream's
// add becomes the GEMM's accumulate operand (cuBLASLt's C with beta 1; the
// CPU's sgemm with beta 1). One launch and one pass over the residual fewer
// per block: the add read two [b, l, d] tensors and wrote one.
// Only an exact match is folded: the product used by the add alone, and the
// add's operands and result all of one type (no broadcast, no cast).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ssdc {
#define GEN_PASS_DEF_FUSERESIDUAL
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;

namespace {

struct AddIntoLinear : OpRewritePattern<ssd::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ssd::AddOp add,
                                PatternRewriter &rewriter) const override {
    Type t = add.getType();
    for (unsigned side = 0; side < 2; ++side) {
      Value product = add->getOperand(side), residual = add->getOperand(1 - side);
      auto linear = product.getDefiningOp<ssd::LinearOp>();
      if (!linear || linear.getResidual() || !product.hasOneUse() ||
          product.getType() != t || residual.getType() != t)
        continue;
      auto fused = rewriter.create<ssd::LinearOp>(
          linear.getLoc(), t, linear.getX(), linear.getWeight(), linear.getBias(), residual);
      for (NamedAttribute a : linear->getDiscardableAttrs())
        fused->setAttr(a.getName(), a.getValue());
      rewriter.replaceOp(add, fused.getResult());
      rewriter.eraseOp(linear);
      return success();
    }
    return failure();
  }
};

struct FuseResidualPass : ssdc::impl::FuseResidualBase<FuseResidualPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<AddIntoLinear>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
