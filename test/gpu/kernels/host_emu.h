// Host emulation of the few CUDA built-ins the device templates use, for
// building ssdc-gpu-kernel-check with a plain C++ compiler
// (-DSSDC_KERNEL_CHECK_HOST_EMU, see docs/gpu_kernels_check.md): every launch
// runs its blocks one after another with one thread each, which every
// template supports (grid-stride loops, block loops strided by blockDim).
// It checks the harness (layouts, references, error measures) without a GPU;
// the numbers that count come from the GPU.
#ifndef SSDC_GPU_KERNEL_CHECK_HOST_EMU_H
#define SSDC_GPU_KERNEL_CHECK_HOST_EMU_H

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct EmuDim3 {
  unsigned x = 0, y = 0, z = 0;
};
inline EmuDim3 blockIdx, threadIdx, blockDim, gridDim;
inline void __syncthreads() {}
inline float __int_as_float(int i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}
inline int64_t min(int64_t a, int64_t b) { return a < b ? a : b; }
inline float rsqrtf(float v) { return 1.0f / std::sqrt(v); }
// Warp shuffles: the templates take their one-thread-per-block branch when
// blockDim.x == 1 and never shuffle here.
inline float __shfl_xor_sync(unsigned, float, int, int = 32) {
  std::fprintf(stderr, "FATAL: __shfl_xor_sync in the host emulation\n");
  std::exit(2);
}
// ssm_recurrent.cuh's register path: one thread holds all (row, lane) slices
// of a CTA (rowsPerThread · threads of ssdc/decode_launch.h).
#define SSDC_CUDA_RECURRENT_MAX_SLICES 512
#define SSDC_CUDA_RECURRENT_LANE_SLICES 512
// rmsnorm.cuh: chunks of 8 a thread keeps in registers (the GPU's 4 would
// send every group wider than 32 channels down the re-reading path here).
#define SSDC_CUDA_RMSNORM_CACHED_CHUNKS 64

namespace ssdc {
namespace cuda {
// The templates' `extern __shared__` arrays, one per name.
constexpr size_t kEmuShared = size_t(1) << 20;
alignas(16) inline float partial[kEmuShared / sizeof(float)];
alignas(16) inline float smem[kEmuShared / sizeof(float)];
alignas(16) inline double smemd[kEmuShared / sizeof(double)];
} // namespace cuda
} // namespace ssdc

namespace emu {
template <typename P> void run(void (*k)(P), unsigned grid, size_t smem, const P &p) {
  if (smem > ssdc::cuda::kEmuShared) {
    std::fprintf(stderr, "FATAL: host emulation has %zu bytes of shared memory, the "
                         "launch asks for %zu\n", ssdc::cuda::kEmuShared, smem);
    std::exit(2);
  }
  gridDim.x = grid;
  blockDim.x = 1;
  threadIdx.x = 0;
  for (unsigned b = 0; b < grid; ++b) {
    blockIdx.x = b;
    k(p);
  }
}
} // namespace emu

#endif // SSDC_GPU_KERNEL_CHECK_HOST_EMU_H
