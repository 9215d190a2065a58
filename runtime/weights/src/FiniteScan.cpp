// --check-weights: find NaN/Inf in requested tensors by their bit patterns
// (exponent all ones), in the stored dtype, without converting.
#include "ssdc/weights/WeightSet.h"

#include "ssdc/weights/WeightsError.h"

#include <cmath>
#include <cstring>

namespace ssdc {

namespace {

// Index of the first element with an all-ones exponent, and the count.
template <typename Bits>
int64_t scan(const uint8_t *p, int64_t n, Bits expMask, int64_t &count) {
  int64_t first = -1;
  count = 0;
  for (int64_t i = 0; i < n; ++i) {
    Bits b;
    std::memcpy(&b, p + i * int64_t(sizeof(Bits)), sizeof(Bits));
    if ((b & expMask) == expMask) {
      if (first < 0)
        first = i;
      ++count;
    }
  }
  return first;
}

float elementAsFloat(const TensorInfo &t, int64_t i) {
  switch (t.dtype) {
  case DType::F32: {
    float f;
    std::memcpy(&f, t.data + 4 * i, 4);
    return f;
  }
  case DType::BF16:
  case DType::F16: {
    uint16_t b;
    std::memcpy(&b, t.data + 2 * i, 2);
    return t.dtype == DType::BF16 ? bf16ToF32(b) : f16ToF32(b);
  }
  default:
    return 0;
  }
}

Shape unravel(int64_t index, const Shape &shape) {
  Shape pos(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    pos[d] = index % shape[d];
    index /= shape[d];
  }
  return pos;
}

} // namespace

std::string NonFiniteReport::message() const {
  std::string what = std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf");
  std::string msg = file + ": tensor '" + storedName + "'";
  if (storedName != name)
    msg += " (as '" + name + "')";
  msg += " has " + what + " at index " + std::to_string(index) + " " +
         formatShape(position);
  if (count > 1)
    msg += "; " + std::to_string(count) + " non-finite values in all";
  return msg;
}

std::vector<NonFiniteReport>
WeightSet::scanNonFinite(const std::vector<std::string> &names) const {
  std::vector<NonFiniteReport> reports;
  for (const std::string &name : names) {
    ResolvedTensor r = resolve(name);
    const TensorInfo &t = *r.info;
    int64_t count = 0, first = -1;
    if (t.dtype == DType::F32)
      first = scan<uint32_t>(t.data, t.numel(), 0x7F800000u, count);
    else if (t.dtype == DType::BF16)
      first = scan<uint16_t>(t.data, t.numel(), uint16_t(0x7F80), count);
    else if (t.dtype == DType::F16)
      first = scan<uint16_t>(t.data, t.numel(), uint16_t(0x7C00), count);
    if (first < 0)
      continue; // finite, or an integer tensor
    NonFiniteReport rep;
    rep.name = name;
    rep.storedName = t.name;
    rep.file = t.file;
    rep.index = first;
    rep.position = unravel(first, t.shape);
    rep.value = elementAsFloat(t, first);
    rep.count = count;
    reports.push_back(std::move(rep));
  }
  return reports;
}

void WeightSet::checkFinite(const std::vector<std::string> &names) const {
  std::vector<NonFiniteReport> reports = scanNonFinite(names);
  if (reports.empty())
    return;
  std::string msg = path_ + ": " + std::to_string(reports.size()) +
                    (reports.size() == 1 ? " tensor holds" : " tensors hold") +
                    " NaN or Inf:";
  for (const NonFiniteReport &r : reports)
    msg += "\n  " + r.message();
  throw WeightsError(msg);
}

} // namespace ssdc
