// Launch geometry of the tiled SSD kernels: the quadratic (attention-form)
// kernel (ssm_quadratic.cuh) and the staged chunked kernels (chunk_cumsum,
// chunk_state, state_pass, chunk_output .cuh). Plain C++ with no CUDA
// headers: the CUDA executor (runtime/cuda/CudaExecutor.cpp) and the kernel
// check (test/gpu/kernels) take grid, block and shared memory from here, and
// the device templates include it for the tile constants and the
// shared-memory layout, so the two sides cannot drift apart.
//
// Tiles. Every tiled kernel runs kSsdTileThreads = 256 threads as 16 × 16,
// each owning a 4 × 4 block of a 64 × 64 output tile (SIMT fp32; the
// accumulators of a thread live in shared memory between tile steps, so the
// templates also run with one thread per block in the kernel check's host
// emulation). Shared tiles are 64 rows of kSsdTileStride = 68 floats (the
// 4-float pad spreads the transposed stores over the banks; rows stay
// 16-byte aligned for float4 loads). Tiles are staged from global memory 16
// loads per thread at a time (all in flight before the shared stores), and
// a y CTA keeps its C rows resident over the whole state dimension.
//
//  - ssm_quadratic: one CTA per (batch, head, head-dim block of 64, block of
//    64 output rows) for y — the scores C_i·B_j of a 64 × 64 (i, j) tile are
//    computed once in shared memory (not per head-dim column), masked and
//    decayed (exp of clamped cumsum differences, the cumsum in double),
//    then multiplied by the x tile — plus one CTA per (batch, head, head-dim
//    block, state block of 64) for the final state. Row blocks are issued
//    last-first (the longest, with the most j tiles, start first).
//  - chunk_output: the same y tiles, rows and columns within one chunk.
//  - chunk_state: the state tiles, per chunk.
//  - chunk_cumsum: one CTA per (batch, chunk, block of 32 heads), dt staged
//    through shared memory.
//  - state_pass: a 1-D grid-stride loop over the state elements.
#ifndef SSDC_SSD_STAGED_LAUNCH_H
#define SSDC_SSD_STAGED_LAUNCH_H

#include <stdint.h>

#if defined(__CUDACC__)
#define SSDC_TILE_HD __host__ __device__
#else
#define SSDC_TILE_HD
#endif

namespace ssdc {
namespace cuda {

constexpr int kSsdTile = 64;          ///< rows / columns of a tile
constexpr int kSsdTileStride = 68;    ///< floats per shared tile row
constexpr int kSsdTileThreads = 256;  ///< 16 × 16 threads, 4 × 4 outputs each
constexpr int kSsdTileFloats = kSsdTile * kSsdTileStride;

/// Shared memory of one tiled CTA (byte offsets), for `tokens` tokens of
/// cumulative log decay and a resident C tile over `dstate` (0: none, the
/// state kernels): cum double[tokens], scan partials double[2·256], then the
/// float regions w[tokens], a [⌈dstate/64⌉·64][68] (C, k-major), the tiles
/// b, m, x [64][68] and the accumulators [16][256].
struct SsdTileSmem {
  int64_t tokens, dstate;
  SSDC_TILE_HD constexpr int64_t aRows() const { return (dstate + 63) / 64 * 64; }
  SSDC_TILE_HD constexpr int64_t up16(int64_t v) const { return (v + 15) / 16 * 16; }
  SSDC_TILE_HD constexpr int64_t cum() const { return 0; }
  SSDC_TILE_HD constexpr int64_t parts() const { return up16(tokens * 8); }
  SSDC_TILE_HD constexpr int64_t w() const { return parts() + 2 * kSsdTileThreads * 8; }
  SSDC_TILE_HD constexpr int64_t tiles() const { return up16(w() + tokens * 4); }
  SSDC_TILE_HD constexpr int64_t a() const { return tiles(); }
  /// b, m, x: k = 0, 1, 2.
  SSDC_TILE_HD constexpr int64_t tile(int k) const {
    return tiles() + (aRows() * kSsdTileStride + int64_t(k) * kSsdTileFloats) * 4;
  }
  SSDC_TILE_HD constexpr int64_t acc() const { return tile(3); }
  SSDC_TILE_HD constexpr int64_t bytes() const { return acc() + 16 * kSsdTileThreads * 4; }
};

/// Largest dynamic shared memory of one CTA on sm_90 (227 KiB).
constexpr int64_t kSsdMaxSmem = 227 * 1024;

struct SsdTileLaunch {
  unsigned grid = 0;        ///< 1-D grid
  unsigned block = 0;       ///< threads per CTA
  int64_t smemBytes = 0;    ///< dynamic shared memory per CTA
  /// smemBytes > 48 KiB: raise cudaFuncAttributeMaxDynamicSharedMemorySize first.
  bool needsSmemAttr = false;
  const char *error = nullptr;  ///< non-null: the shape cannot run
};

SSDC_TILE_HD constexpr int64_t ssdCeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// ssm_quadratic: y CTAs then final-state CTAs (see the file comment).
struct QuadraticGrid {
  int64_t rowBlocks, pBlocks, nBlocks, yCtas, stateCtas;
};
SSDC_TILE_HD inline QuadraticGrid quadraticGrid(int64_t batch, int64_t len, int64_t heads,
                                                int64_t headdim, int64_t dstate) {
  QuadraticGrid g{ssdCeilDiv(len, kSsdTile), ssdCeilDiv(headdim, kSsdTile),
                  ssdCeilDiv(dstate, kSsdTile), 0, 0};
  g.yCtas = batch * heads * g.pBlocks * g.rowBlocks;
  g.stateCtas = batch * heads * g.pBlocks * g.nBlocks;
  return g;
}

inline SsdTileLaunch finishTileLaunch(SsdTileLaunch r, int64_t grid, int64_t smem) {
  if (grid >= (int64_t(1) << 31)) {
    r.error = "grid too large";
    return r;
  }
  if (smem > kSsdMaxSmem) {
    r.error = "shared memory above 227 KiB (sequence too long for this kernel)";
    return r;
  }
  r.grid = unsigned(grid);
  r.block = kSsdTileThreads;
  r.smemBytes = smem;
  r.needsSmemAttr = smem > 48 * 1024;
  return r;
}

inline SsdTileLaunch ssmQuadraticLaunch(int64_t batch, int64_t len, int64_t heads,
                                        int64_t headdim, int64_t dstate) {
  SsdTileLaunch r;
  if (batch <= 0 || len <= 0 || heads <= 0)
    return r;  // grid 0: nothing to do
  QuadraticGrid g = quadraticGrid(batch, len, heads, headdim, dstate);
  return finishTileLaunch(r, g.yCtas + g.stateCtas, SsdTileSmem{len, dstate}.bytes());
}

/// chunk_output: one CTA per (row block within a chunk, batch, chunk, head,
/// head-dim block); row blocks of a chunk are issued last-first.
SSDC_TILE_HD inline int64_t chunkRowBlocks(int64_t q, int64_t len) {
  return ssdCeilDiv(q < len ? q : len, kSsdTile);
}
inline SsdTileLaunch chunkOutputLaunch(int64_t q, int64_t batch, int64_t len, int64_t heads,
                                       int64_t headdim, int64_t dstate) {
  SsdTileLaunch r;
  if (q <= 0) {
    r.error = "chunk size must be positive";
    return r;
  }
  if (batch <= 0 || len <= 0 || heads <= 0)
    return r;
  int64_t grid = chunkRowBlocks(q, len) * batch * ssdCeilDiv(len, q) * heads *
                 ssdCeilDiv(headdim, kSsdTile);
  return finishTileLaunch(r, grid, SsdTileSmem{q < len ? q : len, dstate}.bytes());
}

/// chunk_state: one CTA per (batch, chunk, head, head-dim block, state block).
inline SsdTileLaunch chunkStateLaunch(int64_t q, int64_t batch, int64_t len, int64_t heads,
                                      int64_t headdim, int64_t dstate) {
  SsdTileLaunch r;
  if (q <= 0) {
    r.error = "chunk size must be positive";
    return r;
  }
  if (batch <= 0 || len <= 0 || heads <= 0)
    return r;
  int64_t grid = batch * ssdCeilDiv(len, q) * heads * ssdCeilDiv(headdim, kSsdTile) *
                 ssdCeilDiv(dstate, kSsdTile);
  return finishTileLaunch(r, grid, SsdTileSmem{q < len ? q : len, 0}.bytes());
}

/// chunk_cumsum: one CTA of 256 per (batch, chunk, block of kCumsumHeads
/// heads); shared memory holds that block's dt·A terms,
/// [min(Q, L)][kCumsumHeads] floats.
constexpr int kCumsumHeads = 32;
inline SsdTileLaunch chunkCumsumLaunch(int64_t q, int64_t batch, int64_t len, int64_t heads) {
  SsdTileLaunch r;
  if (q <= 0) {
    r.error = "chunk size must be positive";
    return r;
  }
  if (batch <= 0 || len <= 0 || heads <= 0)
    return r;
  int64_t rows = q < len ? q : len;
  return finishTileLaunch(r, batch * ssdCeilDiv(len, q) * ssdCeilDiv(heads, kCumsumHeads),
                          rows * kCumsumHeads * 4);
}

/// state_pass: 1-D grid-stride loop, min(ceil(work / 256), 65535) CTAs of 256.
inline SsdTileLaunch statePassLaunch(int64_t batch, int64_t heads, int64_t headdim,
                                     int64_t dstate) {
  SsdTileLaunch r;
  int64_t work = batch * heads * headdim * dstate;
  if (work <= 0)
    return r;
  int64_t blocks = (work + 255) / 256;
  return finishTileLaunch(r, blocks < 65535 ? blocks : 65535, 0);
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_SSD_STAGED_LAUNCH_H
