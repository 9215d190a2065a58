// Elementwise ops for the CPU executor (plain loops: they are memory-bound and
// cheap next to the projections and the SSD).
#include "runtime/cpu/Elementwise.h"

#include "runtime/core/Error.h"
#include "runtime/core/Tensor.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ssdc::rt {

namespace {


/// Row-major strides of `shape` aligned right into `rank` dims; broadcast
/// dims (size 1 or missing) get stride 0.
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      size_t rank) {
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t dim = shape.size() - 1 - i;
    size_t at = rank - 1 - i;
    strides[at] = shape[dim] == 1 ? 0 : stride;
    stride *= shape[dim];
  }
  return strides;
}

} // namespace

void broadcastBinary(const float *lhs, const std::vector<int64_t> &lhsShape,
                     const float *rhs, const std::vector<int64_t> &rhsShape,
                     float *out, const std::vector<int64_t> &outShape,
                     bool multiply) {
  int64_t n = Tensor::count(outShape);
  if (lhsShape == outShape && rhsShape == outShape) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = multiply ? lhs[i] * rhs[i] : lhs[i] + rhs[i];
    return;
  }
  size_t rank = outShape.size();
  std::vector<int64_t> ls = broadcastStrides(lhsShape, rank),
                       rs = broadcastStrides(rhsShape, rank);
  std::vector<int64_t> index(rank, 0);
  int64_t li = 0, ri = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = multiply ? lhs[li] * rhs[ri] : lhs[li] + rhs[ri];
    // Advance the multi-index like an odometer.
    for (size_t d = rank; d-- > 0;) {
      ++index[d];
      li += ls[d];
      ri += rs[d];
      if (index[d] < outShape[d])
        break;
      li -= ls[d] * index[d];
      ri -= rs[d] * index[d];
      index[d] = 0;
    }
  }
}

bool runElementwise(const std::vector<int64_t> &firstShape, const Launch &l,
                    const std::function<const float *(int64_t)> &in,
                    const std::function<std::vector<int64_t>(int64_t)> &shape,
                    const std::function<float *(int64_t)> &out) {
  const std::string &op = l.op;
  int64_t n = Tensor::count(firstShape);
  auto unary = [&](auto f) {
    const float *x = in(l.inputs[0]);
    float *o = out(l.outputs[0]);
    for (int64_t i = 0; i < n; ++i)
      o[i] = f(x[i]);
    return true;
  };
  if (op == "ssd.exp")
    return unary([](float v) { return std::exp(v); });
  if (op == "ssd.neg")
    return unary([](float v) { return -v; });
  if (op == "ssd.silu")
    return unary([](float v) { return v / (1.0f + std::exp(-v)); });
  if (op == "ssd.softplus")
    return unary([](float v) { return v > 20.0f ? v : std::log1p(std::exp(v)); });
  if (op == "ssd.cast")
    return unary([](float v) { return v; });
  if (op == "ssd.clamp") {
    float lo = static_cast<float>(attrNumber(l.attrs.at("min")));
    float hi = static_cast<float>(attrNumber(l.attrs.at("max")));
    return unary([&](float v) { return std::min(std::max(v, lo), hi); });
  }
  if (op == "ssd.add" || op == "ssd.mul") {
    const float *a = in(l.inputs[0]), *b = in(l.inputs[1]);
    float *o = out(l.outputs[0]);
    broadcastBinary(a, shape(l.inputs[0]), b, shape(l.inputs[1]), o,
                    shape(l.outputs[0]), op == "ssd.mul");
    return true;
  }
  return false;
}

} // namespace ssdc::rt
