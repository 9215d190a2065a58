// The bindings of one call of a plan entry, shared by the CPU and CUDA
// executors: the symbolic dimensions (b, l, s, s+l, ceil(l/Q)) resolved for
// this batch and length, and the checks on what the caller passed in.
#ifndef SSDC_RUNTIME_CALLSHAPE_H
#define SSDC_RUNTIME_CALLSHAPE_H

#include "runtime/core/Plan.h"
#include "runtime/core/Tensor.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ssdc::rt {

/// What one call of an entry returns, on any device.
struct RunResult {
  Tensor logits;                         ///< [b, l, vocab]
  std::map<std::string, Tensor> states;  ///< by state name
};

/// Gathers the entry's outputs (logits and named states) through `take`,
/// which copies one buffer to the host.
RunResult collectOutputs(const Entry &entry,
                         const std::function<Tensor(int64_t)> &take);

struct CallShape {
  int64_t b = 1, l = 1, s = 0;

  /// A dimension's size in this call; throws on an unknown symbol.
  int64_t resolve(const Dim &d) const;
  std::vector<int64_t> shapeOf(const Buffer &buffer) const;
};

/// The attention cache length s of this call: dimension 1 of the keys/values
/// states given (0 when the entry takes none); all of them must agree.
int64_t cacheLength(const Entry &entry,
                    const std::map<std::string, Tensor> &states);

/// Checks that `ids` holds b·l token ids.
void checkTokenCount(const std::vector<int64_t> &ids, const CallShape &call);

/// The state `input` of `entry` names, from `states`, with its shape checked.
const Tensor &requireState(const Entry &entry, const Buffer &input,
                           const std::map<std::string, Tensor> &states,
                           const CallShape &call);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CALLSHAPE_H
