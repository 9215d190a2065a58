// ssd.chunk_cumsum: dt processing and the within-chunk inclusive cumulative
// sum of the log decay dt'·A (of dt itself when there is no A), chunk Q.
// One CTA per (batch, chunk, block of kCumsumHeads heads): the threads
// process the chunk's dt together (coalesced over heads) into shared
// memory, then one thread per head sums its column in token order (the
// same fp32 running sum as a serial walk). Grid, block and shared memory:
// ssdc/ssd_staged_launch.h, chunkCumsumLaunch.
#ifndef SSDC_CUDA_CHUNK_CUMSUM_CUH
#define SSDC_CUDA_CHUNK_CUMSUM_CUH

#include "common.cuh"
#include "ssdc/ssd_staged_launch.h"

namespace ssdc {
namespace cuda {

template <int Q, typename TDT>
__device__ void chunkCumsumKernel(const ChunkCumsumParams &p) {
  extern __shared__ float smem[];
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const int64_t H = p.heads, L = p.len, chunks = (L + Q - 1) / Q;
  const int64_t hBlocks = ssdCeilDiv(H, kCumsumHeads);
  int64_t id = blockIdx.x;
  const int64_t hb = id % hBlocks;
  id /= hBlocks;
  const int64_t c = id % chunks, b = id / chunks;
  const int64_t h0 = hb * kCumsumHeads, nh = H - h0 < kCumsumHeads ? H - h0 : kCumsumHeads;
  const int64_t c0 = c * Q, rows = (L < c0 + Q ? L : c0 + Q) - c0;
  for (int64_t e = threadIdx.x; e < rows * nh; e += blockDim.x) {
    const int64_t t = e / nh, hh = e % nh, h = h0 + hh, at = (b * L + c0 + t) * H + h;
    float dt = processDt(float(dtIn[at]), p.dtBias, h, p.dtSoftplus, p.dtMin, p.dtMax);
    p.dtOut[at] = dt;
    smem[t * kCumsumHeads + hh] = p.A ? dt * p.A[h] : dt;
  }
  __syncthreads();
  for (int64_t hh = threadIdx.x; hh < nh; hh += blockDim.x) {
    float run = 0.0f;
    for (int64_t t = 0; t < rows; ++t) {
      run += smem[t * kCumsumHeads + hh];
      p.cum[(b * L + c0 + t) * H + h0 + hh] = run;
    }
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_CHUNK_CUMSUM_CUH
