//===- BuilderTest.cpp - builder-level tests of the `ssd` dialect ---------===//
//
// Builds ops through OpBuilder (as the frontend will), checks the verifier's
// verdicts and messages, and that what is printed parses back to the same IR.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace ssdc::ssd;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

class DialectTest : public ::testing::Test {
protected:
  DialectTest() : builder(&context) {
    context.loadDialect<SSDDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// Adds `func.func @name(args...)` with an empty `return` to the module and
  /// positions the builder before the return; returns the block arguments.
  ValueRange makeFunc(StringRef name, TypeRange args) {
    builder.setInsertionPointToEnd(module->getBody());
    auto fn = builder.create<func::FuncOp>(builder.getUnknownLoc(), name,
                                           builder.getFunctionType(args, {}));
    Block *body = fn.addEntryBlock();
    builder.setInsertionPointToStart(body);
    auto ret = builder.create<func::ReturnOp>(builder.getUnknownLoc());
    builder.setInsertionPoint(ret);
    return body->getArguments();
  }

  /// Verifies `op`, returning the first diagnostic's text ("" on success).
  std::string verifyMessage(Operation *op) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    if (succeeded(verify(op)))
      return "";
    return message.empty() ? "<failed without a message>" : message;
  }

  std::string print(Operation *op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    op->print(os);
    return os.str();
  }

  /// A Mamba-2 SSD op with H heads, G groups, P head dim, N state dim.
  SSMOp buildSSM(int64_t h, int64_t g, int64_t p, int64_t n,
                 ScheduleAttr schedule = {}) {
    ValueRange a = makeFunc("ssm", {f32({kDyn, kDyn, h, p}), f32({kDyn, kDyn, h}),
                                    f32({h}), f32({kDyn, kDyn, g, n}),
                                    f32({kDyn, kDyn, g, n}), f32({h}), f32({h})});
    return builder.create<SSMOp>(
        builder.getUnknownLoc(), f32({kDyn, kDyn, h, p}), f32({kDyn, h, p, n}),
        a[0], a[1], a[2], a[3], a[4], /*D=*/a[5], /*dt_bias=*/a[6],
        /*init_state=*/Value(), builder.getUnitAttr(),
        builder.getDenseF64ArrayAttr({0.0, 0.1}), schedule);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(DialectTest, SSMWithGroupsVerifiesAndRoundTrips) {
  SSMOp op = buildSSM(/*h=*/8, /*g=*/2, /*p=*/16, /*n=*/32,
                      ScheduleAttr::get(&context, ScheduleKind::chunked,
                                        int64_t(64), StringRef("cost-model")));
  ASSERT_EQ(verifyMessage(op), "");
  std::string text = print(*module);
  EXPECT_NE(text.find("#ssd.schedule<chunked, 64, \"cost-model\">"),
            std::string::npos)
      << text;

  OwningOpRef<ModuleOp> reparsed = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(print(*reparsed), text);
}

TEST_F(DialectTest, SSMRejectsHeadsNotDivisibleByGroups) {
  SSMOp op = buildSSM(/*h=*/6, /*g=*/4, /*p=*/16, /*n=*/32);
  std::string message = verifyMessage(op);
  EXPECT_NE(message.find("h = 6"), std::string::npos) << message;
  EXPECT_NE(message.find("divisible by g = 4"), std::string::npos) << message;
}

TEST_F(DialectTest, SSMRejectsMismatchedStateDimension) {
  ValueRange a = makeFunc("bad", {f32({1, 5, 4, 8}), f32({1, 5, 4}), f32({4}),
                                  f32({1, 5, 1, 16}), f32({1, 5, 1, 12})});
  auto op = builder.create<SSMOp>(
      builder.getUnknownLoc(), f32({1, 5, 4, 8}), f32({1, 4, 8, 16}), a[0],
      a[1], a[2], a[3], a[4], Value(), Value(), Value(), UnitAttr(),
      DenseF64ArrayAttr(), ScheduleAttr());
  std::string message = verifyMessage(op);
  EXPECT_NE(message.find("operand 'C' dimension 3 (n) is 12"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("n = 16"), std::string::npos) << message;
}

TEST_F(DialectTest, ScheduleAttrChecksChunkSize) {
  auto emit = [&] { return emitError(builder.getUnknownLoc()); };
  auto checked = [&](ScheduleKind kind, int64_t chunk) {
    return ScheduleAttr::getChecked(emit, &context, kind, chunk, StringRef());
  };
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_FALSE(checked(ScheduleKind::chunked, 0));
  EXPECT_NE(message.find("positive chunk size"), std::string::npos) << message;
  EXPECT_FALSE(checked(ScheduleKind::recurrent, 64));
  EXPECT_NE(message.find("takes no chunk size"), std::string::npos) << message;
  ScheduleAttr ok = checked(ScheduleKind::quadratic, 0);
  ASSERT_TRUE(ok);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  Attribute(ok).print(os);
  EXPECT_EQ(os.str(), "#ssd.schedule<quadratic>");
}

TEST_F(DialectTest, AttentionAcceptsOnlyQuadratic) {
  ValueRange a = makeFunc("attn", {f32({kDyn, kDyn, 8, 64}),
                                   f32({kDyn, kDyn, 2, 64}),
                                   f32({kDyn, kDyn, 2, 64})});
  for (ScheduleKind kind : {ScheduleKind::recurrent, ScheduleKind::quadratic,
                            ScheduleKind::chunked}) {
    int64_t chunk = kind == ScheduleKind::chunked ? 64 : 0;
    auto schedule = ScheduleAttr::get(&context, kind, chunk, StringRef());
    auto op = builder.create<AttentionOp>(
        builder.getUnknownLoc(), f32({kDyn, kDyn, 8, 64}),
        f32({kDyn, kDyn, 2, 64}), f32({kDyn, kDyn, 2, 64}), a[0], a[1], a[2],
        Value(), Value(), builder.getI64IntegerAttr(32),
        builder.getF64FloatAttr(10000.0), FloatAttr(), schedule);
    std::string message = verifyMessage(op);
    if (kind == ScheduleKind::quadratic)
      EXPECT_EQ(message, "");
    else
      EXPECT_NE(message.find("no finite-state recurrence"), std::string::npos)
          << message;
    op->erase();
  }
}

TEST_F(DialectTest, SMADecayMaskNeedsDecayOperand) {
  ValueRange a = makeFunc("sma", {f32({kDyn, kDyn, 1, 16}),
                                  f32({kDyn, kDyn, 1, 16}),
                                  f32({kDyn, kDyn, 4, 32})});
  auto op = builder.create<SMAOp>(
      builder.getUnknownLoc(), f32({kDyn, kDyn, 4, 32}), f32({kDyn, 4, 32, 16}),
      a[0], a[1], a[2], Value(), Value(),
      MaskKindAttr::get(&context, MaskKind::decay), ScheduleAttr());
  EXPECT_NE(verifyMessage(op).find("needs a decay(...) operand"),
            std::string::npos);
  op.setMask(MaskKind::causal);
  EXPECT_EQ(verifyMessage(op), "");
}

TEST_F(DialectTest, ChunkStateChecksChunkCount) {
  // l = 130 with chunk 64 gives ceil(130/64) = 3 chunks.
  ValueRange a = makeFunc("cs", {f32({2, 130, 1, 16}), f32({2, 130, 4, 32}),
                                 f32({2, 130, 4})});
  auto build = [&](int64_t chunks) {
    return builder.create<ChunkStateOp>(
        builder.getUnknownLoc(), f32({2, chunks, 4, 32, 16}), a[0], a[1], a[2],
        builder.getI64IntegerAttr(64));
  };
  EXPECT_EQ(verifyMessage(build(3)), "");
  std::string message = verifyMessage(build(2));
  EXPECT_NE(message.find("(c) is 2"), std::string::npos) << message;
  EXPECT_NE(message.find("c = 3"), std::string::npos) << message;
}

} // namespace
