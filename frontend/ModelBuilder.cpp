//===- ModelBuilder.cpp - ModelConfig → level-1 `ssd` model IR ------------===//
//
// One Emitter per entry function; it writes the blocks of a mamba_ssm /
// transformers Mamba-2 model in pre-norm form (REFERENCE.md):
//
//   residual = hidden + residual          (f32 when residual_in_fp32)
//   hidden   = mixer(RMSNorm(residual))   (Mamba-2 or attention)
//   [residual = hidden + residual; hidden = mlp(RMSNorm2(residual))]
//   logits   = lm_head(RMSNorm_f(hidden + residual))
//
// Weights are named by their canonical (HF) checkpoint names.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelBuilder.h"

#include "dialect/SSDDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace ssdc::frontend {
namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// A state argument/result of the entry functions.
struct StateSpec {
  std::string name;  ///< "layers.3.conv", "layers.3.ssm", "layers.9.keys", ...
  RankedTensorType type;
};

class Emitter {
public:
  Emitter(OpBuilder &b, const ModelConfig &c, Type act, int64_t length)
      : b(b), c(c), act(act), f32(b.getF32Type()), length(length),
        loc(b.getUnknownLoc()) {}

  /// Emits the whole model. `statesIn` is empty for prefill.
  Value model(Value ids, ValueRange statesIn, SmallVectorImpl<Value> &statesOut);

private:
  RankedTensorType seq(ArrayRef<int64_t> trailing, Type elem) {
    SmallVector<int64_t> shape{kDyn, length};
    shape.append(trailing.begin(), trailing.end());
    return RankedTensorType::get(shape, elem);
  }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elem) {
    return RankedTensorType::get(shape, elem);
  }
  std::string layerName(int64_t i) {
    return "backbone.layers." + std::to_string(i);
  }

  Value weight(const std::string &name, ArrayRef<int64_t> shape, Type elem) {
    return b.create<ssd::WeightOp>(loc, tensor(shape, elem),
                                   b.getStringAttr(name));
  }
  Value linear(Value x, const std::string &prefix, int64_t out, int64_t in,
               bool bias, Type resultElem) {
    Value w = weight(prefix + ".weight", {out, in}, act);
    Value bv = bias ? weight(prefix + ".bias", {out}, act) : Value();
    return b.create<ssd::LinearOp>(loc, seq({out}, resultElem), x, w, bv, Value());
  }
  Value rmsnorm(Value x, const std::string &weightName, int64_t d,
                Value gate = {}, int64_t groupSize = 0,
                bool normBeforeGate = false) {
    Value w = weight(weightName, {d}, f32);
    auto op = b.create<ssd::RMSNormOp>(
        loc, seq({d}, act), x, w, gate, b.getF64FloatAttr(c.normEps),
        groupSize ? b.getI64IntegerAttr(groupSize) : IntegerAttr(),
        normBeforeGate ? b.getUnitAttr() : UnitAttr());
    return op.getResult();
  }
  SmallVector<Value> split(Value x, ArrayRef<int64_t> sizes) {
    SmallVector<Type> types;
    for (int64_t s : sizes)
      types.push_back(seq({s}, act));
    auto op = b.create<ssd::SplitOp>(loc, types, x,
                                     b.getDenseI64ArrayAttr(sizes));
    return SmallVector<Value>(op.getResults());
  }
  Value reshape(Value x, ArrayRef<int64_t> trailing) {
    return b.create<ssd::ReshapeOp>(loc, seq(trailing, act), x);
  }
  /// The residual stream's element type. A block's output projection
  /// produces it directly (a bf16 GEMM with an f32 result, as the lm_head
  /// does): no bf16 rounding of the projection and no cast launch before the
  /// residual add.
  Type residualType() const { return c.residualInFp32 ? f32 : act; }
  Value toResidual(Value h) {
    Type res = residualType();
    if (cast<ShapedType>(h.getType()).getElementType() == res)
      return h;
    return b.create<ssd::CastOp>(loc, seq({c.dModel}, res), h);
  }
  Value residualAdd(Value h, Value residual) {
    Value r = toResidual(h);
    if (!residual)
      return r;
    return b.create<ssd::AddOp>(loc, r.getType(), r, residual);
  }

  Value mamba(int64_t i, Value hn, Value convIn, Value ssmIn,
              SmallVectorImpl<Value> &statesOut);
  Value attention(int64_t i, Value hn, ValueRange statesIn,
                  SmallVectorImpl<Value> &statesOut);
  Value mlp(int64_t i, Value hn);

  OpBuilder &b;
  const ModelConfig &c;
  Type act, f32;
  int64_t length;
  Location loc;
};

Value Emitter::mamba(int64_t i, Value hn, Value convIn, Value ssmIn,
                     SmallVectorImpl<Value> &statesOut) {
  const SSMConfig &s = c.ssm;
  std::string p = layerName(i) + ".mixer";
  int64_t gn = s.nGroups * s.dState;
  Value zxbcdt = linear(hn, p + ".in_proj", s.inProjRows(), c.dModel, s.bias, act);
  SmallVector<Value> parts = split(zxbcdt, {s.dInner, s.convDim(), s.nHeads});
  Value z = parts[0], xbc = parts[1], dt = parts[2];

  Value convW = weight(p + ".conv1d.weight", {s.convDim(), s.dConv}, act);
  Value convB = s.convBias ? weight(p + ".conv1d.bias", {s.convDim()}, act) : Value();
  auto conv = b.create<ssd::Conv1dOp>(
      loc, seq({s.convDim()}, act), tensor({kDyn, s.convDim(), s.dConv}, f32),
      xbc, convW, convB, convIn, b.getUnitAttr());
  statesOut.push_back(conv.getNewState());

  SmallVector<Value> xBC = split(conv.getY(), {s.dInner, gn, gn});
  Value x = reshape(xBC[0], {s.nHeads, s.headDim});
  Value B = reshape(xBC[1], {s.nGroups, s.dState});
  Value C = reshape(xBC[2], {s.nGroups, s.dState});

  Value aLog = weight(p + ".A_log", {s.nHeads}, f32);
  Value A = b.create<ssd::NegOp>(loc, b.create<ssd::ExpOp>(loc, aLog));
  Value D;
  if (s.dHasHdim)
    D = b.create<ssd::ReshapeOp>(loc, tensor({s.nHeads, s.headDim}, f32),
                                 weight(p + ".D", {s.dInner}, f32));
  else
    D = weight(p + ".D", {s.nHeads}, f32);
  Value dtBias = weight(p + ".dt_bias", {s.nHeads}, f32);
  DenseF64ArrayAttr limit;
  if (s.hasDtLimit())
    limit = b.getDenseF64ArrayAttr({s.dtMin, s.dtMax});
  auto ssm = b.create<ssd::SSMOp>(
      loc, seq({s.nHeads, s.headDim}, act),
      tensor({kDyn, s.nHeads, s.headDim, s.dState}, f32), x, dt, A, B, C, D,
      dtBias, ssmIn, b.getUnitAttr(), limit, ssd::ScheduleAttr());
  statesOut.push_back(ssm.getFinalState());

  Value y = reshape(ssm.getY(), {s.dInner});
  if (s.rmsNorm) {
    y = rmsnorm(y, p + ".norm.weight", s.dInner, z, s.dInner / s.nGroups,
                s.normBeforeGate);
  } else {
    Value gate = b.create<ssd::SiluOp>(loc, z);
    y = b.create<ssd::MulOp>(loc, y.getType(), y, gate);
  }
  return linear(y, p + ".out_proj", c.dModel, s.dInner, s.bias, residualType());
}

Value Emitter::attention(int64_t i, Value hn, ValueRange statesIn,
                         SmallVectorImpl<Value> &statesOut) {
  const AttentionConfig &a = c.attn;
  std::string p = layerName(i) + ".mixer";
  Value qkv = linear(hn, p + ".in_proj", a.qkvDim(), c.dModel, a.qkvBias, act);
  size_t next = 0;
  if (a.dConv > 0) {
    Value w = weight(p + ".conv1d.weight", {a.qkvDim(), a.dConv}, act);
    Value bias = weight(p + ".conv1d.bias", {a.qkvDim()}, act);
    Value state = statesIn.empty() ? Value() : statesIn[next++];
    auto conv = b.create<ssd::Conv1dOp>(
        loc, seq({a.qkvDim()}, act), tensor({kDyn, a.qkvDim(), a.dConv}, f32),
        qkv, w, bias, state, UnitAttr());
    statesOut.push_back(conv.getNewState());
    qkv = conv.getY();
  }
  int64_t qDim = a.numHeads * a.headDim, kvDim = a.numHeadsKV * a.headDim;
  SmallVector<Value> parts = split(qkv, {qDim, kvDim, kvDim});
  Value q = reshape(parts[0], {a.numHeads, a.headDim});
  Value k = reshape(parts[1], {a.numHeadsKV, a.headDim});
  Value v = reshape(parts[2], {a.numHeadsKV, a.headDim});
  Value pastK = statesIn.empty() ? Value() : statesIn[next++];
  Value pastV = statesIn.empty() ? Value() : statesIn[next++];
  auto kvType = tensor({kDyn, kDyn, a.numHeadsKV, a.headDim}, act);
  auto op = b.create<ssd::AttentionOp>(
      loc, seq({a.numHeads, a.headDim}, act), kvType, kvType, q, k, v, pastK,
      pastV, b.getI64IntegerAttr(a.rotaryDim), b.getF64FloatAttr(a.rotaryBase),
      a.softmaxScale > 0 ? b.getF64FloatAttr(a.softmaxScale) : FloatAttr(),
      ssd::ScheduleAttr());
  statesOut.push_back(op.getKeys());
  statesOut.push_back(op.getValues());
  Value y = reshape(op.getY(), {qDim});
  return linear(y, p + ".out_proj", c.dModel, qDim, a.outBias, residualType());
}

Value Emitter::mlp(int64_t i, Value hn) {
  std::string p = layerName(i) + ".mlp";
  int64_t d = c.dIntermediate;
  Value fc1 = linear(hn, p + ".fc1", 2 * d, c.dModel, false, act);
  SmallVector<Value> parts = split(fc1, {d, d});
  Value gate = b.create<ssd::SiluOp>(loc, parts[1]);
  Value y = b.create<ssd::MulOp>(loc, parts[0].getType(), parts[0], gate);
  return linear(y, p + ".fc2", c.dModel, d, false, residualType());
}

Value Emitter::model(Value ids, ValueRange statesIn,
                     SmallVectorImpl<Value> &statesOut) {
  MLIRContext *ctx = b.getContext();
  loc = NameLoc::get(StringAttr::get(ctx, "backbone.embeddings"));
  Value table = weight("backbone.embeddings.weight", {c.vocabSize, c.dModel}, act);
  Value hidden = b.create<ssd::EmbeddingOp>(loc, seq({c.dModel}, act), table, ids);
  Value residual;
  size_t nextState = 0;
  for (int64_t i = 0; i < c.nLayers; ++i) {
    loc = NameLoc::get(StringAttr::get(ctx, layerName(i)));
    residual = residualAdd(hidden, residual);
    Value hn = rmsnorm(residual, layerName(i) + ".norm.weight", c.dModel);
    if (c.layers[i] == LayerKind::Mamba2) {
      Value convIn = statesIn.empty() ? Value() : statesIn[nextState];
      Value ssmIn = statesIn.empty() ? Value() : statesIn[nextState + 1];
      nextState += 2;
      hidden = mamba(i, hn, convIn, ssmIn, statesOut);
    } else {
      size_t n = c.attn.dConv > 0 ? 3 : 2;
      ValueRange mine = statesIn.empty() ? ValueRange()
                                         : statesIn.slice(nextState, n);
      nextState += n;
      hidden = attention(i, hn, mine, statesOut);
    }
    if (c.dIntermediate > 0) {
      residual = residualAdd(hidden, residual);
      Value hn2 = rmsnorm(residual, layerName(i) + ".norm2.weight", c.dModel);
      hidden = mlp(i, hn2);
    }
  }
  loc = NameLoc::get(StringAttr::get(ctx, "backbone.norm_f"));
  residual = residualAdd(hidden, residual);
  Value hf = rmsnorm(residual, "backbone.norm_f.weight", c.dModel);
  loc = NameLoc::get(StringAttr::get(ctx, "lm_head"));
  Value w = c.tieEmbeddings
                ? table
                : weight("lm_head.weight", {c.vocabSize, c.dModel}, act);
  return b.create<ssd::LinearOp>(loc, seq({c.vocabSize}, f32), hf, w, Value(), Value());
}

std::vector<StateSpec> stateSpecs(const ModelConfig &c, Type act, Type f32) {
  std::vector<StateSpec> specs;
  for (int64_t i = 0; i < c.nLayers; ++i) {
    std::string p = "layers." + std::to_string(i) + ".";
    if (c.layers[i] == LayerKind::Mamba2) {
      const SSMConfig &s = c.ssm;
      specs.push_back({p + "conv", RankedTensorType::get({kDyn, s.convDim(), s.dConv}, f32)});
      specs.push_back({p + "ssm", RankedTensorType::get({kDyn, s.nHeads, s.headDim, s.dState}, f32)});
      continue;
    }
    const AttentionConfig &a = c.attn;
    if (a.dConv > 0)
      specs.push_back({p + "conv", RankedTensorType::get({kDyn, a.qkvDim(), a.dConv}, f32)});
    auto kv = RankedTensorType::get({kDyn, kDyn, a.numHeadsKV, a.headDim}, act);
    specs.push_back({p + "keys", kv});
    specs.push_back({p + "values", kv});
  }
  return specs;
}

/// Creates `name` with the given inputs and (logits, states...) results.
void buildEntry(OpBuilder &b, ModuleOp module, const ModelConfig &c, Type act,
                StringRef name, int64_t length, bool takesStates) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  std::vector<StateSpec> specs = stateSpecs(c, act, f32);
  SmallVector<Type> inputs{RankedTensorType::get({kDyn, length}, b.getI64Type())};
  SmallVector<Type> results{RankedTensorType::get({kDyn, length, c.vocabSize}, f32)};
  for (const StateSpec &s : specs) {
    if (takesStates)
      inputs.push_back(s.type);
    results.push_back(s.type);
  }
  b.setInsertionPointToEnd(module.getBody());
  auto fn = b.create<func::FuncOp>(b.getUnknownLoc(), name,
                                   b.getFunctionType(inputs, results));
  fn.setArgAttr(0, "ssd.input", b.getStringAttr("input_ids"));
  fn.setResultAttr(0, "ssd.output", b.getStringAttr("logits"));
  for (auto [i, s] : llvm::enumerate(specs)) {
    if (takesStates)
      fn.setArgAttr(i + 1, "ssd.state", StringAttr::get(ctx, s.name));
    fn.setResultAttr(i + 1, "ssd.state", StringAttr::get(ctx, s.name));
  }
  Block *body = fn.addEntryBlock();
  // Arguments are located by their role, so printed IR names them.
  body->getArgument(0).setLoc(NameLoc::get(StringAttr::get(ctx, "input_ids")));
  if (takesStates)
    for (auto [i, s] : llvm::enumerate(specs))
      body->getArgument(i + 1).setLoc(NameLoc::get(StringAttr::get(ctx, s.name)));
  b.setInsertionPointToStart(body);
  Emitter e(b, c, act, length);
  SmallVector<Value> statesOut;
  ValueRange statesIn = takesStates ? body->getArguments().drop_front()
                                    : ValueRange();
  Value logits = e.model(body->getArgument(0), statesIn, statesOut);
  SmallVector<Value> rets{logits};
  rets.append(statesOut.begin(), statesOut.end());
  b.create<func::ReturnOp>(b.getUnknownLoc(), rets);
}

} // namespace

OwningOpRef<ModuleOp> buildModelIR(const ModelConfig &config,
                                   MLIRContext &context, StringRef dtype) {
  context.loadDialect<ssd::SSDDialect, func::FuncDialect>();
  OpBuilder b(&context);
  Type act = dtype == "bf16"  ? Type(b.getBF16Type())
             : dtype == "f16" ? Type(b.getF16Type())
                              : Type(b.getF32Type());
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  (*module)->setAttr("ssd.model_format", b.getStringAttr(config.format));
  (*module)->setAttr("ssd.dtype", b.getStringAttr(dtype));
  buildEntry(b, *module, config, act, "prefill", kDyn, /*takesStates=*/false);
  buildEntry(b, *module, config, act, "decode", 1, /*takesStates=*/true);
  return module;
}

} // namespace ssdc::frontend
