//===- PlanBuilder.cpp - scheduled IR → the plan (IR level 5) -------------===//

#include "codegen/plan/PlanBuilder.h"

#include "dialect/SSDDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace llvm;

namespace ssdc::plan {
namespace {

std::string typeName(Type t) {
  std::string s;
  raw_string_ostream os(s);
  t.print(os);
  return s;
}

std::string attrText(Attribute a) {
  std::string s;
  raw_string_ostream os(s);
  a.print(os);
  return s;
}

/// The layer an op belongs to, from the frontend's NameLoc ("" if none).
std::string layerOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string s = layerOf(l); !s.empty())
        return s;
  return "";
}

/// An attribute as JSON: numbers and booleans natively, the rest as text.
json::Value attrJSON(Attribute a) {
  if (auto i = dyn_cast<IntegerAttr>(a))
    return i.getValue().getSExtValue();
  if (auto f = dyn_cast<FloatAttr>(a)) {
    double d = f.getValueAsDouble();
    if (std::isinf(d))
      return json::Object{{"__float__", d > 0 ? "Infinity" : "-Infinity"}};
    return d;
  }
  if (isa<UnitAttr>(a))
    return true;
  if (auto s = dyn_cast<StringAttr>(a))
    return s.getValue().str();
  if (auto arr = dyn_cast<DenseF64ArrayAttr>(a)) {
    json::Array out;
    for (double d : arr.asArrayRef())
      out.push_back(attrJSON(FloatAttr::get(Float64Type::get(a.getContext()), d)));
    return out;
  }
  if (auto arr = dyn_cast<DenseI64ArrayAttr>(a))
    return json::Array(arr.asArrayRef());
  if (auto s = dyn_cast<ssd::ScheduleAttr>(a)) {
    json::Object o{{"kind", ssd::stringifyScheduleKind(s.getKind()).str()}};
    if (s.isChunked())
      o["chunk_size"] = s.getChunkSize();
    if (!s.getSource().empty())
      o["source"] = s.getSource().str();
    return o;
  }
  return attrText(a);
}

class FunctionLowering {
public:
  explicit FunctionLowering(func::FuncOp fn) : fn(fn) {}

  FailureOr<json::Value> lower();

private:
  /// Symbolic shape of `v`: static sizes as numbers, dynamic ones by name.
  json::Array shapeOf(Value v);
  int64_t newBuffer(Value v, json::Object fields);
  int64_t idOf(Value v) { return ids.lookup(v); }
  LogicalResult lowerOp(Operation *op);

  func::FuncOp fn;
  llvm::DenseMap<Value, int64_t> ids;
  json::Array buffers, launches;
};

json::Array FunctionLowering::shapeOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  json::Array shape;
  Operation *def = v.getDefiningOp();
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i)) {
      shape.push_back(type.getDimSize(i));
      continue;
    }
    std::string name = i == 0 ? "b" : "l";
    if (i == 1 && def) {
      if (auto cs = dyn_cast<ssd::ChunkStateOp>(def))
        name = "ceil(l/" + std::to_string(cs.getChunkSize()) + ")";
      else if (auto sp = dyn_cast<ssd::StatePassOp>(def);
               sp && v == sp.getPrevStates())
        name = "ceil(l/" + std::to_string(sp.getChunkSize()) + ")";
      else if (auto at = dyn_cast<ssd::AttentionOp>(def);
               at && v != at.getY())
        name = at.getPastK() ? "s+l" : "l";
    }
    if (i == 1 && !def) {
      auto arg = cast<BlockArgument>(v);
      if (auto role = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                      "ssd.state");
          role && (role.getValue().ends_with(".keys") ||
                   role.getValue().ends_with(".values")))
        name = "s";
    }
    shape.push_back(name);
  }
  return shape;
}

int64_t FunctionLowering::newBuffer(Value v, json::Object fields) {
  int64_t id = buffers.size();
  ids[v] = id;
  fields["id"] = id;
  fields["shape"] = shapeOf(v);
  fields["dtype"] = typeName(cast<RankedTensorType>(v.getType()).getElementType());
  buffers.push_back(std::move(fields));
  return id;
}

LogicalResult FunctionLowering::lowerOp(Operation *op) {
  if (auto w = dyn_cast<ssd::WeightOp>(op)) {
    newBuffer(w.getResult(),
              json::Object{{"kind", "weight"}, {"name", w.getName().str()}});
    return success();
  }
  if (auto split = dyn_cast<ssd::SplitOp>(op)) {
    int64_t offset = 0;
    for (auto [r, size] : llvm::zip(split.getResults(), split.getSizes())) {
      newBuffer(r, json::Object{{"kind", "view"},
                    {"of", idOf(split.getInput())},
                    {"column_offset", offset},
                    {"columns", size}});
      offset += size;
    }
    return success();
  }
  if (auto reshape = dyn_cast<ssd::ReshapeOp>(op)) {
    newBuffer(reshape.getResult(),
              json::Object{{"kind", "view"}, {"of", idOf(reshape.getInput())}});
    return success();
  }
  if (isa<func::ReturnOp>(op))
    return success();
  if (op->getDialect() == nullptr ||
      op->getDialect()->getNamespace() != ssd::SSDDialect::getDialectNamespace())
    return op->emitOpError("cannot be lowered to a plan (inline calls and "
                           "remove non-ssd ops first)");

  json::Array inputs, outputs;
  for (Value v : op->getOperands())
    inputs.push_back(idOf(v));
  for (Value r : op->getResults())
    outputs.push_back(newBuffer(r, json::Object{{"kind", "activation"}}));
  json::Object attrs;
  std::string kernel = op->getName().stripDialect().str();
  for (NamedAttribute a : op->getAttrs()) {
    if (a.getName() == "operandSegmentSizes")
      continue;
    attrs[a.getName().str()] = attrJSON(a.getValue());
    if (auto s = dyn_cast<ssd::ScheduleAttr>(a.getValue())) {
      kernel += "." + ssd::stringifyScheduleKind(s.getKind()).str();
      if (s.isChunked())
        kernel += std::to_string(s.getChunkSize());
    }
  }
  // A chunked ssd.ssm runs as the fused CUDA kernel, instantiated on its
  // head dim and state size: record them (x [b,l,h,p], B [b,l,g,n]).
  if (auto ssm = dyn_cast<ssd::SSMOp>(op)) {
    if (ssd::ScheduleAttr s = ssm.getScheduleAttr(); s && s.isChunked()) {
      attrs["headdim"] = cast<RankedTensorType>(ssm.getX().getType()).getDimSize(3);
      attrs["dstate"] = cast<RankedTensorType>(ssm.getB().getType()).getDimSize(3);
    }
  }
  // Optional operands make positions ambiguous: record the segment sizes.
  if (auto segments =
          op->getAttrOfType<DenseI32ArrayAttr>("operandSegmentSizes"))
    attrs["operand_segments"] = json::Array(segments.asArrayRef());
  json::Object launch{{"kernel", kernel},
                      {"op", op->getName().getStringRef().str()},
                      {"inputs", std::move(inputs)},
                      {"outputs", std::move(outputs)},
                      {"attrs", std::move(attrs)}};
  if (std::string layer = layerOf(op->getLoc()); !layer.empty())
    launch["layer"] = layer;
  launches.push_back(std::move(launch));
  return success();
}

FailureOr<json::Value> FunctionLowering::lower() {
  json::Array inputs, outputs;
  for (BlockArgument arg : fn.getArguments()) {
    json::Object fields{{"kind", "input"}};
    for (NamedAttribute a : mlir::function_interface_impl::getArgAttrs(fn, arg.getArgNumber()))
      fields[a.getName().str()] = attrJSON(a.getValue());
    inputs.push_back(newBuffer(arg, std::move(fields)));
  }
  for (Operation &op : fn.getBody().front())
    if (failed(lowerOp(&op)))
      return failure();
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    json::Object out{{"buffer", idOf(v)}};
    for (NamedAttribute a : fn.getResultAttrs(i))
      out[a.getName().str()] = attrJSON(a.getValue());
    outputs.push_back(std::move(out));
  }
  json::Object attrs;
  for (NamedAttribute a : fn->getAttrs())
    if (a.getName().getValue().starts_with("ssd."))
      attrs[a.getName().str()] = attrJSON(a.getValue());
  return json::Value(json::Object{{"name", fn.getName().str()},
                                  {"attributes", std::move(attrs)},
                                  {"inputs", std::move(inputs)},
                                  {"outputs", std::move(outputs)},
                                  {"buffers", std::move(buffers)},
                                  {"launches", std::move(launches)}});
}

} // namespace

FailureOr<json::Value> buildPlan(ModuleOp module) {
  json::Array entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isPrivate() || fn.isExternal())
      continue;
    if (!fn.getBody().hasOneBlock())
      return fn.emitOpError("must have a single block to be lowered to a plan");
    FailureOr<json::Value> entry = FunctionLowering(fn).lower();
    if (failed(entry))
      return failure();
    entries.push_back(std::move(*entry));
  }
  json::Object moduleAttrs;
  for (NamedAttribute a : module->getAttrs())
    if (a.getName().getValue().starts_with("ssd."))
      moduleAttrs[a.getName().str()] = attrJSON(a.getValue());
  return json::Value(json::Object{{"plan_version", kPlanVersion},
                                  {"module", std::move(moduleAttrs)},
                                  {"entries", std::move(entries)}});
}

json::Value summariseSchedules(ModuleOp module) {
  json::Array out;
  module.walk([&](Operation *op) {
    auto schedule = op->getAttrOfType<ssd::ScheduleAttr>("schedule");
    if (!schedule)
      return;
    auto fn = op->getParentOfType<func::FuncOp>();
    out.push_back(json::Object{{"function", fn ? fn.getName().str() : ""},
                               {"layer", layerOf(op->getLoc())},
                               {"op", op->getName().getStringRef().str()},
                               {"schedule", attrJSON(schedule)}});
  });
  return out;
}

} // namespace ssdc::plan
