// Generation on a CUDA session (runtime/cuda/CudaExecutor.h): prefill returns
// the last position's logits only (the head runs for that position alone;
// `lastOnly` false computes every position's and keeps the last, as the host
// path does), decode steps replay a CUDA graph per batch size (or run eagerly
// with `graph` false: the session check compares both).
// A batch prefills each prompt in a session of one sequence and copies its
// states into its row of the batch's session (device to device).
#ifndef SSDC_RUNTIME_GEN_CUDADECODER_H
#define SSDC_RUNTIME_GEN_CUDADECODER_H

#include "runtime/cuda/CudaExecutor.h"
#include "runtime/gen/Generate.h"

#include <memory>

namespace ssdc::rt {

class CudaDecoder : public Decoder {
public:
  explicit CudaDecoder(CudaExecutor &x, bool graph = true, bool lastOnly = true)
      : x(x), graph(graph), lastOnly(lastOnly) {}
  void start(int64_t b, int64_t capacity) override;
  std::vector<float> prefill(const Entry &entry, size_t row,
                             const std::vector<int64_t> &prompt) override;
  std::vector<float> decode(const Entry &entry,
                            const std::vector<int64_t> &tokens) override;
  /// The batch's session (after start()).
  CudaSession &session() { return *batch; }

private:
  CudaExecutor &x;
  bool graph, lastOnly;
  std::unique_ptr<CudaSession> batch, single;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_GEN_CUDADECODER_H
