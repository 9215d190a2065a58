// Launch geometry of the decode-path kernels: the SSD recurrence
// (codegen/cuda/templates/ssm_recurrent.cuh), the (gated, grouped) RMSNorm
// (rmsnorm.cuh) and the causal depthwise conv (conv1d.cuh). One definition
// for the CUDA executor (runtime/cuda/CudaExecutor.cpp runLaunch), the GPU
// kernel check (test/gpu/kernels) and the device templates themselves, which
// recompute the same geometry from their parameters (so the layout of work
// over threads is decided in one place). Plain C++17, no CUDA headers.
#ifndef SSDC_DECODE_LAUNCH_H
#define SSDC_DECODE_LAUNCH_H

#ifndef __CUDACC_RTC__
#include <stddef.h>
#endif
#include <stdint.h>

#if defined(__CUDACC__)
#define SSDC_DECODE_HD __host__ __device__
#else
#define SSDC_DECODE_HD
#endif

namespace ssdc {
namespace cuda {

/// Grid, block and dynamic shared memory of one launch.
struct DecodeLaunch {
  unsigned grid = 0;      ///< 1-D grid
  unsigned block = 0;     ///< threads per CTA
  size_t smemBytes = 0;   ///< dynamic shared memory per CTA
  /// smemBytes > 48 KiB: raise the function's dynamic shared-memory limit first.
  bool needsSmemAttr = false;
  const char *error = nullptr;  ///< non-null: nothing can be launched
};

// ---- ssm_recurrent ------------------------------------------------------------

/// Largest state size N of the register path (N % 4 == 0 too); other
/// sizes take the shared-memory path (one 256-thread block per (batch,
/// head), the state in shared memory).
constexpr int kSsmRecurrentMaxRegN = 128;
/// State rows one thread of the register path updates: 4 × 16 bytes of
/// state loaded at once per thread, and the per-thread setup (block index
/// arithmetic, dt processing, exp) paid once for 4 rows. The sweep of
/// docs/perf/gpu_decode.md (the kernel alone on the H100, 2.7b shape) had
/// 2 rows 11 % (b = 1) and 2 % (b = 16) faster than 4, 1 and 8 slower; 4 is
/// the value the kernel check and the model step ran with.
#ifndef SSDC_RECURRENT_ROWS_PER_THREAD  // a compile-time override for measurements
#define SSDC_RECURRENT_ROWS_PER_THREAD 4   // (tools/gpu_bench/decode_kernels.cu)
#endif
constexpr int kSsmRecurrentRowsPerThread = SSDC_RECURRENT_ROWS_PER_THREAD;
/// Threads per CTA of the register path (fewer when P is small).
constexpr int kSsmRecurrentThreads = 128;

/// How the register path lays one (batch, head)'s state [P, N] over threads.
/// A row of N floats is cut into chunks of 4 (16-byte loads and stores);
/// `lanes` = 2^laneShift threads (a power of two <= 32, within one warp)
/// share a row, lane l owning elements 4l .. 4l + 3, so a warp's loads of a
/// row are contiguous. A CTA of `threads` threads owns `rows` =
/// rowsPerThread · threads / lanes rows of one head; y of a row is reduced
/// over its lanes with warp shuffles. The 2.7b shape (P 64, N 128): 32 lanes,
/// 16 rows a CTA, 4 CTAs a head (320 CTAs at b = 1, 5120 at b = 16).
struct SsmRecurrentGeom {
  bool registers = false;  ///< false: the shared-memory path
  int lanes = 1, laneShift = 0, threads = 0, rows = 0, rowsPerThread = 1;
};

SSDC_DECODE_HD inline SsmRecurrentGeom ssmRecurrentGeom(int64_t P, int64_t N) {
  SsmRecurrentGeom g;
  if (N <= 0 || P <= 0 || N > kSsmRecurrentMaxRegN || N % 4 != 0)
    return g;
  g.registers = true;
  int nc = int(N / 4);
  while (g.lanes < nc) {
    g.lanes *= 2;
    ++g.laneShift;
  }
  g.rowsPerThread = kSsmRecurrentRowsPerThread;
  // threads for all rows (32-bit: the kernel evaluates this per thread)
  int64_t want = (P + g.rowsPerThread - 1) / g.rowsPerThread * g.lanes;
  int t = want < kSsmRecurrentThreads ? int(want + 31) / 32 * 32 : kSsmRecurrentThreads;
  g.threads = t;
  g.rows = g.rowsPerThread * g.threads >> g.laneShift;
  return g;
}

/// Dynamic shared memory of the shared-memory path: the state with rows
/// padded to N + 1 floats (bank conflicts of the y loop), then B and C.
SSDC_DECODE_HD inline size_t ssmRecurrentSmemBytes(int64_t P, int64_t N) {
  return size_t(P * (N + 1) + 2 * N) * sizeof(float);
}

inline DecodeLaunch ssmRecurrentLaunch(int64_t batch, int64_t heads, int64_t P, int64_t N) {
  DecodeLaunch r;
  if (batch <= 0 || heads <= 0 || P <= 0 || N <= 0) {
    r.error = "empty batch, heads, head dim or state size";
    return r;
  }
  SsmRecurrentGeom g = ssmRecurrentGeom(P, N);
  int64_t grid;
  if (g.registers) {
    grid = batch * heads * ((P + g.rows - 1) / g.rows);
    r.block = unsigned(g.threads);
    r.smemBytes = 0;
  } else {
    grid = batch * heads;
    r.block = 256;
    r.smemBytes = ssmRecurrentSmemBytes(P, N);
  }
  if (grid >= (int64_t(1) << 31)) {
    r.error = "grid too large";
    return r;
  }
  r.grid = unsigned(grid);
  r.needsSmemAttr = r.smemBytes > 48 * 1024;
  return r;
}

// ---- rmsnorm ------------------------------------------------------------------

/// Elements per thread chunk (one 16-byte load of bf16, two of f32).
constexpr int kRmsnormChunk = 8;
/// Chunks a thread keeps in registers (x·gate and w) between the sum of
/// squares and the output; a group wider than threads · 8 · this (8192
/// channels at 512 threads) re-reads its inputs.
constexpr int kRmsnormCachedChunks = 2;

/// Most threads of an rmsnorm CTA: the generated kernels carry no launch
/// bounds, and at up to 128 registers a thread 512 still fit an SM's 64 K.
constexpr int kRmsnormMaxThreads = 512;

/// One CTA per (row, group); the group's chunks of 8 channels shared evenly
/// over at most kRmsnormMaxThreads threads (rounded up to a warp): 5120
/// channels are 640 chunks, 2 each for 320 threads; 32 floats of shared
/// memory for the block reduction.
inline DecodeLaunch rmsnormLaunch(int64_t rows, int64_t d, int64_t group) {
  DecodeLaunch r;
  if (group <= 0 || d <= 0 || d % group != 0) {
    r.error = "group_size does not divide the channels";
    return r;
  }
  int64_t chunks = (group + kRmsnormChunk - 1) / kRmsnormChunk;
  int64_t per = (chunks + kRmsnormMaxThreads - 1) / kRmsnormMaxThreads;  // chunks a thread
  int64_t t = ((chunks + per - 1) / per + 31) / 32 * 32;
  r.block = unsigned(t);
  int64_t grid = rows * (d / group);
  if (grid >= (int64_t(1) << 31)) {
    r.error = "grid too large";
    return r;
  }
  r.grid = unsigned(grid);
  r.smemBytes = 32 * sizeof(float);
  return r;
}

// ---- conv1d -------------------------------------------------------------------

/// Positions a conv1d thread takes (one (batch, channel) each), and the
/// widest window kept in registers.
constexpr int kConv1dTile = 16;
constexpr int kConv1dMaxWindow = 8;

/// Grid-stride over batch · tiles of kConv1dTile positions · channels: the
/// executor's 1-D launch (min(ceil(work / 256), 65535) blocks of 256).
inline DecodeLaunch conv1dLaunch(int64_t batch, int64_t len, int64_t channels) {
  DecodeLaunch r;
  int64_t tiles = (len + kConv1dTile - 1) / kConv1dTile;
  int64_t work = batch * tiles * channels, blocks = (work + 255) / 256;
  r.grid = unsigned(blocks < 65535 ? blocks : 65535);
  r.block = 256;
  return r;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_DECODE_LAUNCH_H
