//===- DecomposeChunked.cpp - ssd-decompose-chunked -----------------------===//
//
// An ssd.sma scheduled #ssd.schedule<chunked, Q> becomes the block
// decomposition of its semiseparable matrix (dialect/SSDChunkOps.td):
// chunk_cumsum → chunk_state → state_pass → chunk_output. The log decay is
// summed as given (no A): ssd-fuse later folds the dt processing in.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/FusedKernel.h"

namespace ssdc {
#define GEN_PASS_DEF_DECOMPOSECHUNKED
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;
using namespace ssdc::ssd;

namespace {

/// ceil(l / q), or dynamic.
int64_t chunks(int64_t l, int64_t q) {
  return ShapedType::isDynamic(l) ? ShapedType::kDynamic : (l + q - 1) / q;
}

LogicalResult decompose(SMAOp op) {
  ScheduleAttr schedule = op.getScheduleAttr();
  int64_t q = schedule.getChunkSize();
  if (op.getMask() != MaskKind::decay)
    return op.emitOpError(
        "chunked decomposition of a causal-mask sma is not supported (no log "
        "decay to sum); schedule it recurrent or quadratic");
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto v = cast<RankedTensorType>(op.getV().getType());
  auto state = cast<RankedTensorType>(op.getFinalState().getType());
  Value a = op.getLogDecay();
  auto cumsum = b.create<ChunkCumsumOp>(loc, a.getType(), a.getType(), a,
                                        Value(), Value(), q, false,
                                        DenseF64ArrayAttr());
  Value cum = cumsum.getCum();
  auto states = RankedTensorType::get(
      {v.getDimSize(0), chunks(v.getDimSize(1), q), v.getDimSize(2),
       v.getDimSize(3), state.getDimSize(3)},
      b.getF32Type());
  auto chunkState =
      b.create<ChunkStateOp>(loc, states, op.getK(), op.getV(), cum, q);
  auto pass = b.create<StatePassOp>(loc, states, state, chunkState, cum,
                                    op.getInitState(), q,
                                    StatePassKind::sequential);
  auto out = b.create<ChunkOutputOp>(loc, op.getY().getType(), op.getQ(),
                                     op.getK(), op.getV(), cum,
                                     pass.getPrevStates(), Value(), Value(), q);
  op.getY().replaceAllUsesWith(out.getY());
  op.getFinalState().replaceAllUsesWith(pass.getFinalState());
  op.erase();
  return success();
}

struct DecomposeChunkedPass
    : ssdc::impl::DecomposeChunkedBase<DecomposeChunkedPass> {
  using DecomposeChunkedBase::DecomposeChunkedBase;
  void runOnOperation() override {
    SmallVector<SMAOp> todo;
    getOperation()->walk([&](SMAOp op) {
      ScheduleAttr s = op.getScheduleAttr();
      if (!s || !s.isChunked())
        return;
      if (keepFused && op.getMask() == MaskKind::decay &&
          fusedKernelRuns(op.getQ().getType(), op.getK().getType(), op.getV().getType(),
                          s.getChunkSize()))
        return;
      todo.push_back(op);
    });
    for (SMAOp op : todo)
      if (failed(decompose(op)))
        return signalPassFailure();
  }
};

} // namespace
