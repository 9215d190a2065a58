//===- DecomposeChunked.cpp - ssd-decompose-chunked -----------------------===//
//
// An ssd.sma scheduled #ssd.schedule<chunked, Q> becomes the block
// decomposition of its semiseparable matrix (dialect/SSDChunkOps.td):
// chunk_cumsum → chunk_state → state_pass → chunk_output. The log decay is
// summed as given (no A): ssd-fuse later folds the dt processing in.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ssdc/ssd_fused_launch.h"

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

/// True when the fused CUDA kernel runs this chunked sma as it is: the
/// launch header's own shape rules (one source of truth with the kernel),
/// the tensor-core path when q, k and v are bf16, else the fp32 one.
bool fusedKernelSupports(SMAOp op, int64_t q) {
  auto k = cast<RankedTensorType>(op.getK().getType());
  auto v = cast<RankedTensorType>(op.getV().getType());
  auto c = cast<RankedTensorType>(op.getQ().getType());
  int64_t p = v.getDimSize(3), n = k.getDimSize(3);
  if (ShapedType::isDynamic(p) || ShapedType::isDynamic(n) || op.getMask() != MaskKind::decay)
    return false;
  bool bf16 = k.getElementType().isBF16() && v.getElementType().isBF16() &&
              c.getElementType().isBF16();
  bool f32 = k.getElementType().isF32() && v.getElementType().isF32() &&
             c.getElementType().isF32();
  if (!bf16 && !f32)
    return false;
  return cuda::fusedSsdLaunch(static_cast<int>(q), static_cast<int>(p),
                              static_cast<int>(n), 1, 1, 1, bf16)
             .error == nullptr;
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
      if (keepFused && fusedKernelSupports(op, s.getChunkSize()))
        return;
      todo.push_back(op);
    });
    for (SMAOp op : todo)
      if (failed(decompose(op)))
        return signalPassFailure();
  }
};

} // namespace
