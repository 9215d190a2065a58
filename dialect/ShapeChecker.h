//===- ShapeChecker.h - symbolic shape checks for `ssd` verifiers -*- C++ -*-===//
//
// Verifiers describe each operand by the symbolic names of its dimensions
// (e.g. x: {b, l, h, p}); the checker binds every static size to its symbol
// and reports the first disagreement naming both places:
//
//   'ssd.ssm' op operand 'dt' dimension 2 (h) is 8, but operand 'x'
//   dimension 2 says h = 4
//
// Dynamic dimensions bind nothing and agree with everything.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_DIALECT_SHAPECHECKER_H
#define SSDC_DIALECT_SHAPECHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace ssdc::ssd {

class ShapeChecker {
public:
  explicit ShapeChecker(mlir::Operation *op) : op(op) {}

  /// Checks that `type` is a ranked tensor whose dimensions are named by
  /// `dims` (one name per dimension; "" names a free dimension) and binds the
  /// static ones. `what` is e.g. "operand 'x'" or "result 'y'".
  mlir::LogicalResult bind(llvm::StringRef what, mlir::Type type,
                           llvm::ArrayRef<llvm::StringRef> dims);

  /// Like bind() for an optional operand: succeeds when `value` is null.
  mlir::LogicalResult bindOptional(llvm::StringRef what, mlir::Value value,
                                   llvm::ArrayRef<llvm::StringRef> dims);

  /// Binds `symbol` to a size computed by the verifier (e.g. the chunk count).
  mlir::LogicalResult bindValue(llvm::StringRef what, llvm::StringRef symbol,
                                int64_t size);

  /// The static size bound to `symbol`, or ShapedType::kDynamic.
  int64_t get(llvm::StringRef symbol) const;

  /// Binds the D-skip operand, per head ([h]) or per head and channel
  /// ([h, p], mamba_ssm's D_has_hdim). Succeeds when `d` is null.
  mlir::LogicalResult bindSkipD(mlir::Value d);

  /// Checks that `numerator` heads are divisible by `denominator` groups.
  mlir::LogicalResult checkDivisible(llvm::StringRef numerator,
                                     llvm::StringRef denominator);

private:
  struct Binding {
    int64_t size;
    std::string where;
  };
  mlir::Operation *op;
  llvm::StringMap<Binding> bound;
};

/// Element type of a shaped type.
mlir::Type elementTypeOf(mlir::Type type);

/// Checks that `actual` has the element type of `expected`, naming both.
mlir::LogicalResult checkSameElementType(mlir::Operation *op,
                                         llvm::StringRef expectedWhat,
                                         mlir::Type expected,
                                         llvm::StringRef actualWhat,
                                         mlir::Type actual);

/// Chunk sizes are positive.
mlir::LogicalResult checkChunkSize(mlir::Operation *op, int64_t chunkSize);

/// `dt_limit = array<f64: lo, hi>` with 0 <= lo <= hi (hi may be +inf).
mlir::LogicalResult checkDtLimit(mlir::Operation *op,
                                 std::optional<llvm::ArrayRef<double>> limit);

/// ceil(l / q), or dynamic when l is.
int64_t chunkCount(int64_t length, int64_t chunkSize);

} // namespace ssdc::ssd

#endif // SSDC_DIALECT_SHAPECHECKER_H
