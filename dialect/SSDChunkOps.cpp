//===- SSDChunkOps.cpp - verifiers of the chunked decomposition ops -------===//
//
// c is the chunk count, ceil(l / chunk_size), checked whenever l is static.
//
//===----------------------------------------------------------------------===//

#include "dialect/SSDDialect.h"
#include "dialect/ShapeChecker.h"

using namespace mlir;
using namespace ssdc::ssd;

/// Binds c = ceil(l / chunk_size) once l is known.
static LogicalResult bindChunkCount(ShapeChecker &s, int64_t chunkSize) {
  return s.bindValue("ceil(l / chunk_size)", "c",
                     chunkCount(s.get("l"), chunkSize));
}

LogicalResult ChunkCumsumOp::verify() {
  if (failed(checkChunkSize(*this, static_cast<int64_t>(getChunkSize()))))
    return failure();
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'dt'", getDt().getType(), {"b", "l", "h"})) ||
      failed(s.bindOptional("operand 'A'", getA(), {"h"})) ||
      failed(s.bindOptional("operand 'dt_bias'", getDtBias(), {"h"})) ||
      failed(s.bind("result 'dt_out'", getDtOut().getType(), {"b", "l", "h"})) ||
      failed(s.bind("result 'cum'", getCum().getType(), {"b", "l", "h"})))
    return failure();
  return checkDtLimit(*this, getDtLimit());
}

LogicalResult ChunkStateOp::verify() {
  int64_t q = static_cast<int64_t>(getChunkSize());
  if (failed(checkChunkSize(*this, q)))
    return failure();
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'k'", getK().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'v'", getV().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bind("operand 'cum'", getCum().getType(), {"b", "l", "h"})) ||
      failed(bindChunkCount(s, q)) ||
      failed(s.bind("result 'states'", getStates().getType(),
                    {"b", "c", "h", "p", "n"})))
    return failure();
  return s.checkDivisible("h", "g");
}

LogicalResult StatePassOp::verify() {
  int64_t q = static_cast<int64_t>(getChunkSize());
  if (failed(checkChunkSize(*this, q)))
    return failure();
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'cum'", getCum().getType(), {"b", "l", "h"})) ||
      failed(bindChunkCount(s, q)) ||
      failed(s.bind("operand 'states'", getStates().getType(),
                    {"b", "c", "h", "p", "n"})) ||
      failed(s.bindOptional("operand 'init'", getInitState(),
                            {"b", "h", "p", "n"})) ||
      failed(s.bind("result 'prev_states'", getPrevStates().getType(),
                    {"b", "c", "h", "p", "n"})) ||
      failed(s.bind("result 'final_state'", getFinalState().getType(),
                    {"b", "h", "p", "n"})))
    return failure();
  return success();
}

LogicalResult ChunkOutputOp::verify() {
  int64_t q = static_cast<int64_t>(getChunkSize());
  if (failed(checkChunkSize(*this, q)))
    return failure();
  ShapeChecker s(*this);
  if (failed(s.bind("operand 'q'", getQ().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'k'", getK().getType(), {"b", "l", "g", "n"})) ||
      failed(s.bind("operand 'v'", getV().getType(), {"b", "l", "h", "p"})) ||
      failed(s.bind("operand 'cum'", getCum().getType(), {"b", "l", "h"})) ||
      failed(bindChunkCount(s, q)) ||
      failed(s.bind("operand 'prev_states'", getPrevStates().getType(),
                    {"b", "c", "h", "p", "n"})) ||
      failed(s.bindOptional("operand 'skip_x'", getSkipX(),
                            {"b", "l", "h", "p"})) ||
      failed(s.bind("result 'y'", getY().getType(), {"b", "l", "h", "p"})))
    return failure();
  if (failed(s.bindSkipD(getD())))
    return failure();
  if (static_cast<bool>(getSkipX()) != static_cast<bool>(getD()))
    return emitOpError("needs both skip_x and D or neither");
  if (failed(s.checkDivisible("h", "g")))
    return failure();
  return checkSameElementType(*this, "operand 'v'", getV().getType(),
                              "result 'y'", getY().getType());
}
