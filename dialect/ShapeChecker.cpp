//===- ShapeChecker.cpp - symbolic shape checks for `ssd` verifiers -------===//

#include "dialect/ShapeChecker.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;

namespace ssdc::ssd {

static std::string dimNames(ArrayRef<StringRef> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + (dims[i].empty() ? std::string("_") : dims[i].str());
  return s + "]";
}

LogicalResult ShapeChecker::bind(StringRef what, Type type,
                                 ArrayRef<StringRef> dims) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return op->emitOpError() << what << " must be a ranked tensor, got "
                             << type;
  if (tensor.getRank() != static_cast<int64_t>(dims.size()))
    return op->emitOpError()
           << what << " must have rank " << dims.size() << " "
           << dimNames(dims) << ", got rank " << tensor.getRank();
  for (auto [i, symbol] : llvm::enumerate(dims)) {
    int64_t size = tensor.getDimSize(i);
    if (symbol.empty() || ShapedType::isDynamic(size))
      continue;
    std::string where = llvm::formatv("{0} dimension {1}", what, i).str();
    if (failed(bindValue(where, symbol, size)))
      return failure();
  }
  return success();
}

LogicalResult ShapeChecker::bindOptional(StringRef what, Value value,
                                         ArrayRef<StringRef> dims) {
  if (!value)
    return success();
  return bind(what, value.getType(), dims);
}

LogicalResult ShapeChecker::bindValue(StringRef where, StringRef symbol,
                                      int64_t size) {
  if (ShapedType::isDynamic(size))
    return success();
  auto it = bound.find(symbol);
  if (it == bound.end()) {
    bound[symbol] = Binding{size, where.str()};
    return success();
  }
  if (it->second.size != size)
    return op->emitOpError()
           << where << " (" << symbol << ") is " << size << ", but "
           << it->second.where << " says " << symbol << " = "
           << it->second.size;
  return success();
}

LogicalResult ShapeChecker::bindSkipD(Value d) {
  if (!d)
    return success();
  auto type = cast<RankedTensorType>(d.getType());
  if (type.getRank() == 2)
    return bind("operand 'D'", type, {"h", "p"});
  return bind("operand 'D'", type, {"h"});
}

int64_t ShapeChecker::get(StringRef symbol) const {
  auto it = bound.find(symbol);
  return it == bound.end() ? ShapedType::kDynamic : it->second.size;
}

LogicalResult ShapeChecker::checkDivisible(StringRef numerator,
                                           StringRef denominator) {
  int64_t n = get(numerator), d = get(denominator);
  if (ShapedType::isDynamic(n) || ShapedType::isDynamic(d))
    return success();
  if (d <= 0 || n % d != 0)
    return op->emitOpError()
           << numerator << " = " << n << " (from " << bound[numerator].where
           << ") must be divisible by " << denominator << " = " << d
           << " (from " << bound[denominator].where << ")";
  return success();
}

Type elementTypeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  return type;
}

LogicalResult checkSameElementType(Operation *op, StringRef expectedWhat,
                                   Type expected, StringRef actualWhat,
                                   Type actual) {
  Type e = elementTypeOf(expected), a = elementTypeOf(actual);
  if (e != a)
    return op->emitOpError() << actualWhat << " has element type " << a
                             << ", expected " << e << " as " << expectedWhat;
  return success();
}

LogicalResult checkChunkSize(Operation *op, int64_t chunkSize) {
  if (chunkSize <= 0)
    return op->emitOpError()
           << "chunk_size must be positive, got " << chunkSize;
  return success();
}

LogicalResult checkDtLimit(Operation *op, std::optional<ArrayRef<double>> limit) {
  if (!limit)
    return success();
  if (limit->size() != 2)
    return op->emitOpError() << "dt_limit must hold 2 values [min, max], got "
                             << limit->size();
  double lo = (*limit)[0], hi = (*limit)[1];
  if (std::isnan(lo) || std::isnan(hi) || lo < 0 || lo > hi)
    return op->emitOpError() << "dt_limit must satisfy 0 <= min <= max, got ["
                             << lo << ", " << hi << "]";
  return success();
}

int64_t chunkCount(int64_t length, int64_t chunkSize) {
  if (ShapedType::isDynamic(length) || chunkSize <= 0)
    return ShapedType::kDynamic;
  return (length + chunkSize - 1) / chunkSize;
}

} // namespace ssdc::ssd
