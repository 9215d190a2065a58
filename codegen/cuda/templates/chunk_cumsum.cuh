// ssd.chunk_cumsum: dt processing and the within-chunk inclusive cumulative
// sum of the log decay dt'·A (of dt itself when there is no A), chunk Q.
// Launch: any 1-D grid over batch·chunks·heads; one thread walks one chunk.
#ifndef SSDC_CUDA_CHUNK_CUMSUM_CUH
#define SSDC_CUDA_CHUNK_CUMSUM_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

template <int Q, typename TDT>
__device__ void chunkCumsumKernel(const ChunkCumsumParams &p) {
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const int64_t H = p.heads, L = p.len, chunks = (L + Q - 1) / Q;
  for (int64_t i = globalIndex(); i < p.batch * chunks * H; i += globalStride()) {
    int64_t b = i / (chunks * H), c = (i / H) % chunks, h = i % H;
    float run = 0.0f;
    for (int64_t t = c * Q; t < min(L, (c + 1) * Q); ++t) {
      int64_t at = (b * L + t) * H + h;
      float dt = processDt(float(dtIn[at]), p.dtBias, h, p.dtSoftplus, p.dtMin,
                           p.dtMax);
      p.dtOut[at] = dt;
      run += p.A ? dt * p.A[h] : dt;
      p.cum[at] = run;
    }
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_CUMSUM_CUH
