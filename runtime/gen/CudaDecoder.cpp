#include "runtime/gen/CudaDecoder.h"

namespace ssdc::rt {

void CudaDecoder::start(int64_t b, int64_t capacity) {
  batch = x.openSession(b, capacity);
  single = b > 1 ? x.openSession(1, capacity) : nullptr;
}

std::vector<float> CudaDecoder::prefill(const Entry &entry, size_t row,
                                        const std::vector<int64_t> &prompt) {
  CudaSession &s = single ? *single : *batch;
  SessionRun how;
  how.lastOnly = lastOnly;
  Tensor logits = s.run(entry, prompt, static_cast<int64_t>(prompt.size()), how);
  if (single)
    batch->copyRow(static_cast<int64_t>(row), *single);
  if (!lastOnly) {  // keep the last position: [1, l, vocab] -> [vocab]
    int64_t vocab = logits.shape.back();
    logits.data.erase(logits.data.begin(), logits.data.end() - vocab);
  }
  return std::move(logits.data);
}

std::vector<float> CudaDecoder::decode(const Entry &entry,
                                       const std::vector<int64_t> &tokens) {
  SessionRun how;
  how.graph = graph;
  return std::move(batch->run(entry, tokens, 1, how).data);
}

} // namespace ssdc::rt
