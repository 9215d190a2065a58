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

/// Largest state size N of the register path; above it the shared-memory
/// path (one 256-thread block per (batch, head), the state in shared memory).
constexpr int kSsmRecurrentMaxRegN = 256;
/// State rows one thread of the register path updates (independent loads in
/// flight per thread; the B/C loads of a step shared by them).
constexpr int kSsmRecurrentRowsPerThread = 2;
/// Threads per CTA of the register path (fewer when P is small).
constexpr int kSsmRecurrentThreads = 128;

/// How the register path lays one (batch, head)'s state [P, N] over threads.
/// A row of N floats is cut into chunks of `vec` contiguous elements (4 when
/// N % 4 == 0: 16-byte loads and stores, else 1); `lanes` threads (a power of
/// two <= 32, within one warp) share a row, lane l owning chunks
/// l, l + lanes, l + 2·lanes, ... (`chunks` of them, the template's
/// compile-time count), so a warp's loads of one row are contiguous. A CTA of
/// `threads` threads owns `rows` = rowsPerThread · threads / lanes rows of one
/// head; y of a row is reduced over its lanes with warp shuffles.
struct SsmRecurrentGeom {
  bool registers = false;  ///< false: the shared-memory path (N > kSsmRecurrentMaxRegN)
  int vec = 1, lanes = 1, chunks = 1, threads = 0, rows = 0, rowsPerThread = 1;
};

SSDC_DECODE_HD inline SsmRecurrentGeom ssmRecurrentGeom(int64_t P, int64_t N) {
  SsmRecurrentGeom g;
  if (N <= 0 || P <= 0 || N > kSsmRecurrentMaxRegN)
    return g;
  g.registers = true;
  g.vec = N % 4 == 0 ? 4 : 1;
  int nc = int(N / g.vec);
  g.lanes = 1;
  while (g.lanes < nc && g.lanes < 32)
    g.lanes *= 2;
  int per = (nc + g.lanes - 1) / g.lanes;
  // the instantiated counts: vec 4: 1, 2; vec 1: 1, 2, 4, 8
  g.chunks = per <= 1 ? 1 : per <= 2 ? 2 : per <= 4 ? 4 : 8;
  g.rowsPerThread = kSsmRecurrentRowsPerThread;
  int64_t want = (P + g.rowsPerThread - 1) / g.rowsPerThread * g.lanes;  // threads for all rows
  int64_t t = (want + 31) / 32 * 32;
  g.threads = int(t < kSsmRecurrentThreads ? t : kSsmRecurrentThreads);
  g.rows = g.rowsPerThread * g.threads / g.lanes;
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
/// Chunks a thread keeps in registers (x·gate) between the sum of squares
/// and the output; a group wider than threads · 8 · this re-reads its inputs.
constexpr int kRmsnormCachedChunks = 4;

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

/// Grid-stride over batch · channels, one thread per channel: the executor's
/// 1-D launch (min(ceil(work / 256), 65535) blocks of 256).
inline DecodeLaunch conv1dLaunch(int64_t batch, int64_t channels) {
  DecodeLaunch r;
  int64_t work = batch * channels, blocks = (work + 255) / 256;
  r.grid = unsigned(blocks < 65535 ? blocks : 65535);
  r.block = 256;
  return r;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_DECODE_LAUNCH_H
