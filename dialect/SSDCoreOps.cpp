//===- SSDCoreOps.cpp - verifiers of ssd.ssm, ssd.sma, ssd.attention ------===//
//
// Dimension symbols follow REFERENCE.md: b batch, l length, h heads, p head
// dim, g groups, n state dim. `h % g == 0` for every grouped operand.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"
#include "dialect/ShapeChecker.h"

using namespace mlir;
using namespace ssdc::ssd;

LogicalResult SSMOp::verify() {
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'x'", getX().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bind("operand 'dt'", getDt().getType(), {"b", "l", "h"})) ||
      failed(s.bind("operand 'A'", getA().getType(), {"h"})) ||
      failed(s.bind("operand 'B'", getB().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'C'", getC().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bindSkipD(getD())) ||
      failed(s.bindOptional("operand 'dt_bias'", getDtBias(), {"h"})) ||
      failed(s.bindOptional("operand 'init'", getInitState(),
                            {"b", "h", "p", "n"})) ||
      failed(s.bind("result 'y'", getY().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bind("result 'final_state'", getFinalState().getType(),
                    {"b", "h", "p", "n"})))
    return failure();
  if (failed(s.checkDivisible("h", "g")) ||
      failed(checkSameElementType(*this, "operand 'x'", getX().getType(),
                                  "operand 'B'", getB().getType())) ||
      failed(checkSameElementType(*this, "operand 'x'", getX().getType(),
                                  "operand 'C'", getC().getType())) ||
      failed(checkSameElementType(*this, "operand 'x'", getX().getType(),
                                  "result 'y'", getY().getType())) ||
      failed(checkDtLimit(*this, getDtLimit())))
    return failure();
  return success();
}

LogicalResult SMAOp::verify() {
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'q'", getQ().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'k'", getK().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'v'", getV().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bindOptional("operand 'decay'", getLogDecay(),
                            {"b", "l", "h"})) ||
      failed(s.bindOptional("operand 'init'", getInitState(),
                            {"b", "h", "p", "n"})) ||
      failed(s.bind("result 'y'", getY().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bind("result 'final_state'", getFinalState().getType(),
                    {"b", "h", "p", "n"})))
    return failure();
  if (failed(s.checkDivisible("h", "g")))
    return failure();
  bool decayMask = getMask() == MaskKind::decay;
  if (decayMask && !getLogDecay())
    return emitOpError("#ssd.mask<decay> needs a decay(...) operand");
  if (!decayMask && getLogDecay())
    return emitOpError("#ssd.mask<causal> takes no decay(...) operand");
  if (failed(checkSameElementType(*this, "operand 'q'", getQ().getType(),
                                  "operand 'k'", getK().getType())) ||
      failed(checkSameElementType(*this, "operand 'v'", getV().getType(),
                                  "result 'y'", getY().getType())))
    return failure();
  return success();
}

LogicalResult AttentionOp::verify() {
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'q'", getQ().getType(), {"b", "l", "hq", "d"})) ||
      failed(s.bind("operand 'k'", getK().getType(), {"b", "l", "hk", "d"})) ||
      failed(s.bind("operand 'v'", getV().getType(), {"b", "l", "hk", "dv"})) ||
      failed(s.bindOptional("operand 'past_k'", getPastK(),
                            {"b", "s", "hk", "d"})) ||
      failed(s.bindOptional("operand 'past_v'", getPastV(),
                            {"b", "s", "hk", "dv"})) ||
      failed(s.bind("result 'y'", getY().getType(), {"b", "l", "hq", "dv"})) ||
      failed(s.bind("result 'keys'", getKeys().getType(),
                    {"b", "t", "hk", "d"})) ||
      failed(s.bind("result 'values'", getValues().getType(),
                    {"b", "t", "hk", "dv"})))
    return failure();
  if (failed(s.checkDivisible("hq", "hk")))
    return failure();
  if (static_cast<bool>(getPastK()) != static_cast<bool>(getPastV()))
    return emitOpError("needs both past_k and past_v or neither");
  // Keys and values returned are the cache plus this call's positions.
  int64_t l = s.get("l"), past = getPastK() ? s.get("s") : 0;
  if (!ShapedType::isDynamic(l) && !ShapedType::isDynamic(past) &&
      failed(s.bindValue("the cache length plus l", "t", past + l)))
    return failure();
  int64_t rotary = static_cast<int64_t>(getRotaryDim()), d = s.get("d");
  if (rotary < 0 || rotary % 2 != 0)
    return emitOpError() << "rotary_dim must be even and >= 0, got " << rotary;
  if (!ShapedType::isDynamic(d) && rotary > d)
    return emitOpError() << "rotary_dim " << rotary
                         << " exceeds the head dimension " << d;
  if (getRopeTheta().convertToDouble() <= 0)
    return emitOpError("rope_theta must be positive");
  if (std::optional<APFloat> scale = getScale();
      scale && scale->convertToDouble() <= 0)
    return emitOpError("scale must be positive");
  if (std::optional<ScheduleAttr> schedule = getSchedule();
      schedule && schedule->getKind() != ScheduleKind::quadratic)
    return emitOpError()
           << "softmax attention has no finite-state recurrence: its schedule "
           << "must be quadratic, got "
           << stringifyScheduleKind(schedule->getKind());
  return success();
}
