// Token embedding: y[r, :] = table[ids[r], :]. Ids are checked on the host
// before the launch; an id outside [0, vocab) still writes NaN here rather
// than reading out of bounds. Launch: any 1-D grid.
#ifndef SSDC_CUDA_EMBEDDING_CUH
#define SSDC_CUDA_EMBEDDING_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <typename T>
__device__ void embeddingKernel(const EmbeddingParams &p) {
  const T *table = static_cast<const T *>(p.table);
  T *y = static_cast<T *>(p.y);
  int64_t n = p.rows * p.dim;
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    int64_t r = i / p.dim, c = i % p.dim;
    int64_t id = p.ids[r];
    y[i] = (id >= 0 && id < p.vocab) ? table[id * p.dim + c] : T(__int_as_float(0x7fc00000));
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_EMBEDDING_CUH
