//===- SSDLayerOps.cpp - verifiers of the level-1 layer ops ---------------===//

#include "dialect/SSDDialect.h"
#include "dialect/ShapeChecker.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace ssdc::ssd;

/// Names for a tensor of rank `rank` whose last dimension is `last` and whose
/// leading dimensions are matched positionally ("d0", "d1", ...).
static SmallVector<StringRef> leadingThen(int64_t rank, StringRef last) {
  static const char *leading[] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6"};
  SmallVector<StringRef> names;
  for (int64_t i = 0; i + 1 < rank; ++i)
    names.push_back(i < 7 ? leading[i] : "");
  names.push_back(last);
  return names;
}

static int64_t rankOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getRank() : -1;
}

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty weight name");
  auto type = cast<RankedTensorType>(getResult().getType());
  if (!type.hasStaticShape())
    return emitOpError() << "weight '" << getName()
                         << "' must have a static shape, got " << type;
  return success();
}

LogicalResult EmbeddingOp::verify() {
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'table'", getTable().getType(), {"v", "d"})) ||
      failed(s.bind("operand 'ids'", getIds().getType(), {"b", "l"})) ||
      failed(s.bind("result", getResult().getType(), {"b", "l", "d"})))
    return failure();
  return checkSameElementType(*this, "operand 'table'", getTable().getType(),
                              "result", getResult().getType());
}

LogicalResult RMSNormOp::verify() {
  int64_t rank = rankOf(getX());
  if (rank < 1)
    return emitOpError("operand 'x' must be a ranked tensor of rank >= 1");
  auto dims = leadingThen(rank, "d");
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'x'", getX().getType(), dims)) ||
      failed(s.bind("operand 'weight'", getWeight().getType(), {"d"})) ||
      failed(s.bindOptional("operand 'gate'", getGate(), dims)) ||
      failed(s.bind("result", getResult().getType(), dims)))
    return failure();
  if (getEps().convertToDouble() <= 0)
    return emitOpError() << "eps must be positive, got "
                         << getEps().convertToDouble();
  if (getNormBeforeGate() && !getGate())
    return emitOpError("norm_before_gate needs a gate operand");
  if (std::optional<uint64_t> group = getGroupSize()) {
    int64_t g = static_cast<int64_t>(*group), d = s.get("d");
    if (g <= 0)
      return emitOpError() << "group_size must be positive, got " << g;
    if (!ShapedType::isDynamic(d) && d % g != 0)
      return emitOpError() << "group_size " << g
                           << " does not divide the normalised dimension "
                           << d;
  }
  return success();
}

LogicalResult LinearOp::verify() {
  int64_t rank = rankOf(getX());
  if (rank < 1)
    return emitOpError("operand 'x' must be a ranked tensor of rank >= 1");
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'x'", getX().getType(), leadingThen(rank, "k"))) ||
      failed(s.bind("operand 'weight'", getWeight().getType(), {"n", "k"})) ||
      failed(s.bindOptional("operand 'bias'", getBias(), {"n"})) ||
      failed(s.bind("result", getResult().getType(), leadingThen(rank, "n"))))
    return failure();
  if (Value r = getResidual())
    if (r.getType() != getResult().getType())
      return emitOpError() << "operand 'residual' must have the result's type "
                           << getResult().getType() << ", got " << r.getType();
  return success();
}

LogicalResult Conv1dOp::verify() {
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'x'", getX().getType(), {"b", "l", "c"})) ||
      failed(s.bind("operand 'weight'", getWeight().getType(), {"c", "k"})) ||
      failed(s.bindOptional("operand 'bias'", getBias(), {"c"})) ||
      failed(s.bindOptional("operand 'state'", getState(), {"b", "c", "k"})) ||
      failed(s.bind("result 'y'", getY().getType(), {"b", "l", "c"})) ||
      failed(s.bind("result 'new_state'", getNewState().getType(),
                    {"b", "c", "k"})))
    return failure();
  return checkSameElementType(*this, "operand 'x'", getX().getType(),
                              "result 'y'", getY().getType());
}

LogicalResult SplitOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  ArrayRef<int64_t> sizes = getSizes();
  if (sizes.size() != getResults().size())
    return emitOpError() << "has " << sizes.size() << " sizes but "
                         << getResults().size() << " results";
  int64_t total = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size <= 0)
      return emitOpError() << "size #" << i << " must be positive, got "
                           << size;
    total += size;
  }
  int64_t last = input.getDimSize(input.getRank() - 1);
  if (!ShapedType::isDynamic(last) && last != total)
    return emitOpError() << "sizes add up to " << total
                         << " but the input's last dimension is " << last;
  for (auto [i, result] : llvm::enumerate(getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<int64_t> expected(input.getShape());
    expected.back() = sizes[i];
    if (type.getRank() != input.getRank() ||
        failed(verifyCompatibleShape(type.getShape(), expected)))
      return emitOpError() << "result #" << i << " has type " << type
                           << ", expected the input's leading dimensions and "
                           << sizes[i] << " last";
    if (failed(checkSameElementType(*this, "the input", input,
                                    "result #" + std::to_string(i), type)))
      return failure();
  }
  return success();
}

/// Splits a shape into its dynamic prefix and the product of the static rest.
static LogicalResult splitShape(Operation *op, StringRef what,
                                RankedTensorType t, int64_t &prefix,
                                int64_t &product) {
  prefix = 0;
  while (prefix < t.getRank() && t.isDynamicDim(prefix))
    ++prefix;
  product = 1;
  for (int64_t i = prefix; i < t.getRank(); ++i) {
    if (t.isDynamicDim(i))
      return op->emitOpError()
             << what << " may have dynamic dimensions only as a leading "
             << "prefix, got " << t;
    product *= t.getDimSize(i);
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  int64_t inPrefix, inProduct, outPrefix, outProduct;
  if (failed(splitShape(*this, "the input", in, inPrefix, inProduct)) ||
      failed(splitShape(*this, "the result", out, outPrefix, outProduct)))
    return failure();
  if (inPrefix != outPrefix)
    return emitOpError() << "input has " << inPrefix
                         << " leading dynamic dimensions but the result has "
                         << outPrefix;
  if (inProduct != outProduct)
    return emitOpError() << "static dimensions hold " << inProduct
                         << " elements in the input but " << outProduct
                         << " in the result";
  return checkSameElementType(*this, "the input", in, "the result", out);
}

LogicalResult ClampOp::verify() {
  double lo = getMin().convertToDouble(), hi = getMax().convertToDouble();
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return emitOpError() << "needs min <= max, got [" << lo << ", " << hi
                         << "]";
  return success();
}

/// Shared verifier of the broadcasting binary ops.
static LogicalResult verifyBroadcastBinary(Operation *op, Value lhs, Value rhs,
                                           Value result) {
  auto l = cast<RankedTensorType>(lhs.getType());
  auto r = cast<RankedTensorType>(rhs.getType());
  auto res = cast<RankedTensorType>(result.getType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(l.getShape(), r.getShape(), shape))
    return op->emitOpError() << "operands " << l << " and " << r
                             << " do not broadcast";
  if (res.getRank() != static_cast<int64_t>(shape.size()) ||
      failed(verifyCompatibleShape(res.getShape(), shape)))
    return op->emitOpError()
           << "result " << res << " does not match the broadcast shape of "
           << l << " and " << r;
  if (failed(checkSameElementType(op, "operand 'lhs'", l, "operand 'rhs'", r)) ||
      failed(checkSameElementType(op, "operand 'lhs'", l, "the result", res)))
    return failure();
  return success();
}

LogicalResult AddOp::verify() {
  return verifyBroadcastBinary(*this, getLhs(), getRhs(), getResult());
}

LogicalResult MulOp::verify() {
  return verifyBroadcastBinary(*this, getLhs(), getRhs(), getResult());
}
