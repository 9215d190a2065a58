//===- DualityUtils.cpp - ssd.ssm <-> ssd.sma rewrites and matchers -------===//
//
// SSM notation → attention notation (Dao & Gu): q = C, k = B, v = dt'·x,
// log decay = dt'·A with dt' = clamp(softplus(dt + dt_bias)); y += D·x.
// dt' is computed in f32 (numerics policy); activations of another element
// type get ssd.cast ops so that every elementwise op has one element type.
//
//===----------------------------------------------------------------------===//

#include "passes/DualityUtils.h"

using namespace mlir;
using namespace ssdc;
using namespace ssdc::ssd;

static RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `v` as element type `elem`, through an ssd.cast when needed.
static Value castTo(OpBuilder &b, Location loc, Value v, Type elem) {
  RankedTensorType t = tensorOf(v);
  if (t.getElementType() == elem)
    return v;
  return b.create<CastOp>(loc, t.clone(elem), v);
}

/// Strips an ssd.cast whose result is `v`.
static Value stripCast(Value v) {
  if (auto c = v.getDefiningOp<CastOp>())
    return c.getInput();
  return v;
}

static bool isRank1F32(Value v) {
  RankedTensorType t = tensorOf(v);
  return t.getRank() == 1 && t.getElementType().isF32();
}

Value ssdc::buildDtProcessing(OpBuilder &b, Location loc, Value dt, Value bias,
                              bool softplus,
                              std::optional<ArrayRef<double>> limit) {
  Value v = castTo(b, loc, dt, b.getF32Type());
  if (bias)
    v = b.create<AddOp>(loc, v.getType(), v, bias);
  if (softplus)
    v = b.create<SoftplusOp>(loc, v);
  if (limit)
    v = b.create<ClampOp>(loc, v, b.getF64FloatAttr((*limit)[0]),
                          b.getF64FloatAttr((*limit)[1]));
  return v;
}

DtChain ssdc::peelDtChain(Value processed) {
  DtChain chain;
  Value v = processed;
  if (auto clamp = v.getDefiningOp<ClampOp>()) {
    chain.limit = {clamp.getMin().convertToDouble(),
                   clamp.getMax().convertToDouble()};
    v = clamp.getX();
  }
  if (auto sp = v.getDefiningOp<SoftplusOp>()) {
    chain.softplus = true;
    v = sp.getX();
  }
  if (auto add = v.getDefiningOp<AddOp>()) {
    if (isRank1F32(add.getRhs()) && tensorOf(add.getLhs()).getRank() == 3) {
      chain.bias = add.getRhs();
      v = add.getLhs();
    } else if (isRank1F32(add.getLhs()) &&
               tensorOf(add.getRhs()).getRank() == 3) {
      chain.bias = add.getLhs();
      v = add.getRhs();
    }
  }
  if (auto c = v.getDefiningOp<CastOp>())
    if (tensorOf(c.getInput()).getRank() == 3)
      v = c.getInput();
  chain.rawDt = v;
  return chain;
}

std::optional<std::pair<Value, Value>> ssdc::matchLogDecay(Value logDecay) {
  auto mul = logDecay ? logDecay.getDefiningOp<MulOp>() : MulOp();
  if (!mul)
    return std::nullopt;
  Value lhs = mul.getLhs(), rhs = mul.getRhs();
  if (isRank1F32(rhs) && tensorOf(lhs).getRank() == 3)
    return std::make_pair(lhs, rhs);
  if (isRank1F32(lhs) && tensorOf(rhs).getRank() == 3)
    return std::make_pair(rhs, lhs);
  return std::nullopt;
}

/// True when `r` is reshape(dtp) (dtp possibly cast) with a trailing 1.
static bool isReshapedDt(Value r, Value dtp) {
  auto reshape = r.getDefiningOp<ReshapeOp>();
  if (!reshape)
    return false;
  RankedTensorType t = tensorOf(r);
  return t.getRank() == 4 && t.getDimSize(3) == 1 &&
         stripCast(reshape.getInput()) == dtp;
}

Value ssdc::matchScaledInput(Value v, Value dtp) {
  auto mul = v.getDefiningOp<MulOp>();
  if (!mul)
    return {};
  if (isReshapedDt(mul.getRhs(), dtp) && mul.getLhs().getType() == v.getType())
    return mul.getLhs();
  if (isReshapedDt(mul.getLhs(), dtp) && mul.getRhs().getType() == v.getType())
    return mul.getRhs();
  return {};
}

/// The f32 D behind a skip factor D' ([h,1] from [h], or [h,p]); null if none.
static Value peelSkipFactor(Value factor, Value x) {
  Value v = stripCast(factor);
  RankedTensorType t = tensorOf(v), xt = tensorOf(x);
  if (t.getRank() != 2 || !t.getElementType().isF32())
    return {};
  if (auto reshape = v.getDefiningOp<ReshapeOp>())
    if (t.getDimSize(1) == 1 && isRank1F32(reshape.getInput()))
      return reshape.getInput();
  if (t.getDimSize(1) == xt.getDimSize(3) && t.getDimSize(1) != 1)
    return v;
  return {};
}

std::optional<SkipMatch> ssdc::matchSkip(Value y, Value x) {
  if (!y.hasOneUse())
    return std::nullopt;
  auto add = dyn_cast<AddOp>(*y.getUsers().begin());
  if (!add || add.getType() != y.getType())
    return std::nullopt;
  Value other = add.getLhs() == y ? add.getRhs() : add.getLhs();
  auto mul = other.getDefiningOp<MulOp>();
  if (!mul)
    return std::nullopt;
  for (auto [cand, factor] : {std::make_pair(mul.getLhs(), mul.getRhs()),
                              std::make_pair(mul.getRhs(), mul.getLhs())}) {
    if ((x && cand != x) || cand.getType() != y.getType())
      continue;
    if (Value D = peelSkipFactor(factor, cand))
      return SkipMatch{add, cand, D};
  }
  return std::nullopt;
}

Value ssdc::buildSkip(OpBuilder &b, Location loc, Value y, Value x, Value D) {
  Value factor = D;
  RankedTensorType dt = tensorOf(D);
  if (dt.getRank() == 1)
    factor = b.create<ReshapeOp>(
        loc, RankedTensorType::get({dt.getDimSize(0), 1}, dt.getElementType()),
        D);
  factor = castTo(b, loc, factor, tensorOf(x).getElementType());
  Value skip = b.create<MulOp>(loc, x.getType(), x, factor);
  return b.create<AddOp>(loc, y.getType(), y, skip);
}

void ssdc::rewriteSSMToSMA(RewriterBase &rewriter, SSMOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getX();
  RankedTensorType xt = tensorOf(x);
  Value dtp = buildDtProcessing(rewriter, loc, op.getDt(), op.getDtBias(),
                                op.getDtSoftplus(), op.getDtLimit());
  Value logDecay = rewriter.create<MulOp>(loc, dtp.getType(), dtp, op.getA());
  // v = x · dt' with dt' as [b,l,h,1] in x's element type.
  Value dtv = castTo(rewriter, loc, dtp, xt.getElementType());
  SmallVector<int64_t> shape(tensorOf(dtv).getShape());
  shape.push_back(1);
  Value dt4 = rewriter.create<ReshapeOp>(
      loc, RankedTensorType::get(shape, xt.getElementType()), dtv);
  Value v = rewriter.create<MulOp>(loc, xt, x, dt4);
  auto sma = rewriter.create<SMAOp>(
      loc, op.getY().getType(), op.getFinalState().getType(), op.getC(),
      op.getB(), v, logDecay, op.getInitState(), MaskKind::decay,
      op.getScheduleAttr());
  Value y = sma.getY();
  if (Value D = op.getD())
    y = buildSkip(rewriter, loc, y, x, D);
  rewriter.replaceOp(op, {y, sma.getFinalState()});
}

/// True when every user of `v` outside `ignore` comes after `point` in its
/// block (or lives in another block, which `point`'s block dominates).
static bool allUsesAfter(Value v, Operation *point) {
  for (Operation *user : v.getUsers())
    if (user->getBlock() == point->getBlock() && user != point &&
        user->isBeforeInBlock(point))
      return false;
  return true;
}

LogicalResult ssdc::rewriteSMAToSSM(RewriterBase &rewriter, SMAOp op) {
  if (op.getMask() != MaskKind::decay)
    return failure();
  auto decay = matchLogDecay(op.getLogDecay());
  if (!decay)
    return failure();
  auto [dtp, A] = *decay;
  Value x = matchScaledInput(op.getV(), dtp);
  if (!x || tensorOf(A).getDimSize(0) != tensorOf(x).getDimSize(2))
    return failure();
  DtChain chain = peelDtChain(dtp);
  if (chain.limit && (chain.limit->first < 0 ||
                      chain.limit->first > chain.limit->second))
    return failure(); // not a legal dt_limit: leave the clamp outside
  std::optional<SkipMatch> skip = matchSkip(op.getY(), x);
  // The ssm goes where its last operand is available: at the skip's add when
  // the final state is not used in between, else at the sma without D.
  Operation *point = op;
  if (skip && skip->add->getBlock() == op->getBlock() &&
      allUsesAfter(op.getFinalState(), skip->add))
    point = skip->add;
  else
    skip.reset();
  rewriter.setInsertionPoint(point);
  DenseF64ArrayAttr limit;
  if (chain.limit)
    limit = rewriter.getDenseF64ArrayAttr(
        {chain.limit->first, chain.limit->second});
  auto ssm = rewriter.create<SSMOp>(
      op.getLoc(), op.getY().getType(), op.getFinalState().getType(), x,
      chain.rawDt, A, op.getK(), op.getQ(), skip ? skip->D : Value(),
      chain.bias, op.getInitState(), chain.softplus, limit,
      op.getScheduleAttr());
  rewriter.replaceAllUsesWith(op.getFinalState(), ssm.getFinalState());
  if (skip) {
    rewriter.replaceOp(skip->add, ssm.getY());
    rewriter.eraseOp(op);
  } else {
    rewriter.replaceAllUsesWith(op.getY(), ssm.getY());
    rewriter.eraseOp(op);
  }
  return success();
}
