//===- Fuse.cpp - ssd-fuse: dt processing and D-skip into the kernels' ops ===//
//
// Chunked: the elementwise dt processing feeding chunk_cumsum's log decay is
// folded into chunk_cumsum (its A, dt_bias, dt_softplus, dt_limit), whose
// dt_out then replaces the processed dt elsewhere (v = x·dt); an add of x·D
// after chunk_output becomes its skip(x, D).
// Recurrent, quadratic, and chunked where the target has a whole chunked
// kernel (the CPU: ssd-decompose-chunked does not run, see Pipeline.cpp): the
// kernels (codegen/cpu: ssdRecurrent, ssdQuadratic, ssdChunked) take raw dt,
// A, dt_bias, D, so every sma still present and scheduled is folded back
// into ssd.ssm with its schedule (rewriteSMAToSSM). What does not
// match stays as producers for the plan lowering to fuse or launch.
//
//===----------------------------------------------------------------------===//

#include "passes/DualityUtils.h"
#include "passes/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/Iterators.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace ssdc {
#define GEN_PASS_DEF_FUSE
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;
using namespace ssdc::ssd;

namespace {

/// The earliest point in `block` after which every value in `vals` is
/// defined: nullptr means the block start; failure if one is defined in a
/// block that is neither `block` nor an ancestor of it.
FailureOr<Operation *> lastDefIn(Block *block, ArrayRef<Value> vals) {
  Operation *last = nullptr;
  for (Value v : vals) {
    if (!v)
      continue;
    Block *defBlock = v.getParentBlock();
    if (defBlock != block) {
      if (!defBlock->getParent()->isAncestor(block->getParent()))
        return failure();
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def && (!last || last->isBeforeInBlock(def)))
      last = def;
  }
  return last;
}

/// chunk_cumsum(mul(dt', A)) → chunk_cumsum dt A(A) dt_bias(..) {...}.
void fuseCumsum(ChunkCumsumOp op, DominanceInfo &dom) {
  if (op.getA() || op.getDtBias() || op.getDtSoftplus() || op.getDtLimit() ||
      !op.getDtOut().use_empty())
    return;
  auto decay = matchLogDecay(op.getDt());
  if (!decay)
    return;
  auto [dtp, A] = *decay;
  DtChain chain = peelDtChain(dtp);
  if (chain.limit &&
      (chain.limit->first < 0 || chain.limit->first > chain.limit->second))
    return;
  // Place the fused op as early as its operands allow, so that it dominates
  // the other users of dt' (the v = x·dt' that precedes the sma).
  Block *block = op->getBlock();
  FailureOr<Operation *> after =
      lastDefIn(block, {chain.rawDt, A, chain.bias});
  if (failed(after))
    return;
  OpBuilder b(op.getContext());
  if (*after)
    b.setInsertionPointAfter(*after);
  else
    b.setInsertionPointToStart(block);
  DenseF64ArrayAttr limit;
  if (chain.limit)
    limit = b.getDenseF64ArrayAttr({chain.limit->first, chain.limit->second});
  auto fused = b.create<ChunkCumsumOp>(
      op.getLoc(), op.getDtOut().getType(), op.getCum().getType(),
      chain.rawDt, A, chain.bias, op.getChunkSize(), chain.softplus, limit);
  op.getCum().replaceAllUsesWith(fused.getCum());
  op.erase();
  dtp.replaceUsesWithIf(fused.getDtOut(), [&](OpOperand &use) {
    return dom.properlyDominates(fused.getOperation(), use.getOwner());
  });
}

/// add(chunk_output(...), x·D) → chunk_output ... skip(x, D).
void fuseSkip(ChunkOutputOp op, DominanceInfo &dom) {
  if (op.getSkipX())
    return;
  std::optional<SkipMatch> skip = matchSkip(op.getY(), Value());
  if (!skip || !dom.properlyDominates(skip->x, op) ||
      !dom.properlyDominates(skip->D, op))
    return;
  OpBuilder b(op);
  auto fused = b.create<ChunkOutputOp>(
      op.getLoc(), op.getY().getType(), op.getQ(), op.getK(), op.getV(),
      op.getCum(), op.getPrevStates(), skip->x, skip->D, op.getChunkSize());
  skip->add.getResult().replaceAllUsesWith(fused.getY());
  skip->add.erase();
  op.erase();
}

/// Erases ssd ops left without users, until none is.
void eraseDeadSSDOps(Operation *root) {
  bool changed = true;
  while (changed) {
    changed = false;
    root->walk<WalkOrder::PostOrder, mlir::ReverseIterator>([&](Operation *op) {
      if (op != root && isa_and_nonnull<SSDDialect>(op->getDialect()) &&
          isOpTriviallyDead(op)) {
        op->erase();
        changed = true;
      }
    });
  }
}

struct FusePass : ssdc::impl::FuseBase<FusePass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    IRRewriter rewriter(&getContext());
    SmallVector<SMAOp> smas;
    root->walk([&](SMAOp op) {
      if (op.getScheduleAttr())
        smas.push_back(op);
    });
    for (SMAOp op : smas)
      (void)rewriteSMAToSSM(rewriter, op);

    SmallVector<ChunkCumsumOp> cumsums;
    root->walk([&](ChunkCumsumOp op) { cumsums.push_back(op); });
    for (ChunkCumsumOp op : cumsums) {
      DominanceInfo dom(root);
      fuseCumsum(op, dom);
    }
    SmallVector<ChunkOutputOp> outputs;
    root->walk([&](ChunkOutputOp op) { outputs.push_back(op); });
    for (ChunkOutputOp op : outputs) {
      DominanceInfo dom(root);
      fuseSkip(op, dom);
    }
    eraseDeadSSDOps(root);
  }
};

} // namespace
