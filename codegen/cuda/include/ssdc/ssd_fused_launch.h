// Launch geometry of the fused chunked SSD forward kernel
// (codegen/cuda/templates/ssd_fused.cuh, `ssmChunkedFusedKernel<Q, P, N, ...>`).
// Plain C++17, no CUDA headers: the executor and the host side of benchmarks
// include it; the device template includes it too, so the shared-memory
// layout is computed in one place.
//
// Two paths, chosen by the operand storage types:
//  - tensor cores (x, B, C in bf16): one CTA per (batch, head, block of PB
//    head-dim columns); Q/64 warpgroups of 128 threads; chunks walked in
//    order with the state [N, PB] in fp32 registers; wgmma (sm_90a).
//    Shapes: Q in {64, 128}; P in {32, 64, 128} (P = 32 or a multiple of 64);
//    N in {64, 128}. x, B, C, y 16-byte aligned.
//  - SIMT fp32 (x or B not bf16, e.g. float): one CTA per (batch, head,
//    block of at most 64 head-dim columns), 256 threads, the sequence walked
//    in 32-token chunks whatever Q is (same function; fp32 throughout).
//    Shapes: P <= 64 or a multiple of 64; N <= 256.
#ifndef SSDC_SSD_FUSED_LAUNCH_H
#define SSDC_SSD_FUSED_LAUNCH_H

#include <cstddef>
#include <cstdint>

// The layout functions are used by the device template too.
#if defined(__CUDACC__)
#define SSDC_FUSED_HD __host__ __device__
#else
#define SSDC_FUSED_HD
#endif

namespace ssdc {
namespace cuda {

/// Bytes of each shared-memory region of the tensor-core path, in order;
/// every region starts on a 1024-byte boundary (128-byte swizzle atoms).
struct FusedTcSmem {
  int q, pb, n;
  SSDC_FUSED_HD constexpr size_t align(size_t v) const { return (v + 1023) / 1024 * 1024; }
  SSDC_FUSED_HD constexpr size_t xTile() const { return align(size_t(q) * pb * 2); }  ///< x chunk [Q][PB] bf16
  SSDC_FUSED_HD constexpr size_t bTile() const { return align(size_t(q) * n * 2); }   ///< B or C chunk [N/64][Q][64]
  SSDC_FUSED_HD constexpr size_t stage() const { return xTile() + 2 * bTile(); }
  SSDC_FUSED_HD constexpr size_t xw() const { return 2 * stage(); }                  ///< offset of x·w [Q][PB]
  SSDC_FUSED_HD constexpr size_t st() const { return xw() + xTile(); }               ///< offset of Sᵀ bf16 [N][PB]
  SSDC_FUSED_HD constexpr size_t floats() const { return st() + align(size_t(n) * pb * 2); }  ///< cum, dt, sums
  SSDC_FUSED_HD constexpr size_t bytes() const { return floats() + (2 * size_t(q) + 32) * 4 + 1024; }
};

/// Bytes of the SIMT fp32 path's shared memory (32-token chunks).
/// Layout: cum double[32], x [32][pb], B and C [32][n+1], S [pb][n+1],
/// L [32][33], dt [32], w [32] (floats).
SSDC_FUSED_HD constexpr size_t fusedSimtSmemBytes(int pb, int n) {
  return 32 * 8 + (size_t(32) * pb + 2 * size_t(32) * (n + 1) + size_t(pb) * (n + 1) + 32 * 33 +
                   2 * 32) * 4;
}
constexpr int kFusedSimtChunk = 32;
constexpr int kFusedSimtThreads = 256;

struct FusedSsdLaunch {
  unsigned grid = 0;         ///< 1-D grid: batch · heads · (P / pBlock)
  unsigned block = 0;        ///< threads per CTA
  size_t smemBytes = 0;      ///< dynamic shared memory per CTA
  int pBlock = 0;            ///< head-dim columns per CTA
  /// smemBytes > 48 KiB: before the launch set cudaFuncAttributeMaxDynamicSharedMemorySize
  /// (driver API: CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) to smemBytes.
  bool needsSmemAttr = false;
  const char *error = nullptr;  ///< non-null: shape not supported here (use the 4-stage kernels)
};

/// Grid, block and shared memory for one call. `tensorCores`: x, B and C are
/// bf16 (the wgmma path); otherwise the SIMT fp32 path. `pBlock` 0 picks the
/// default (min(P, 64)); 32 splits a 64-wide head over two CTAs (more CTAs
/// when batch · heads is small, at the price of C·Bᵀ computed twice).
inline FusedSsdLaunch fusedSsdLaunch(int Q, int P, int N, int64_t batch, int64_t heads,
                                     int64_t len, bool tensorCores, int pBlock = 0) {
  FusedSsdLaunch r;
  (void)len;
  if (batch <= 0 || heads <= 0) {
    r.error = "empty batch or heads";
    return r;
  }
  if (tensorCores) {
    if (Q != 64 && Q != 128) {
      r.error = "tensor-core path: Q must be 64 or 128";
      return r;
    }
    if (N != 64 && N != 128) {
      r.error = "tensor-core path: N must be 64 or 128";
      return r;
    }
    if (P != 32 && P % 64 != 0) {
      r.error = "tensor-core path: P must be 32 or a multiple of 64";
      return r;
    }
    int pb = pBlock ? pBlock : (P < 64 ? P : 64);
    if ((pb != 32 && pb != 64) || P % pb != 0 || (P == 32 && pb != 32)) {
      r.error = "tensor-core path: pBlock must be 32 or 64 and divide P";
      return r;
    }
    r.pBlock = pb;
    r.block = unsigned(Q / 64 * 128);
    r.smemBytes = FusedTcSmem{Q, pb, N}.bytes();
  } else {
    if (!(P <= 64 || P % 64 == 0) || N > 256 || N <= 0 || P <= 0) {
      r.error = "SIMT path: P must be <= 64 or a multiple of 64, N <= 256";
      return r;
    }
    r.pBlock = P < 64 ? P : 64;
    r.block = kFusedSimtThreads;
    r.smemBytes = fusedSimtSmemBytes(r.pBlock, N);
  }
  int64_t grid = batch * heads * (P / r.pBlock);
  if (grid >= (int64_t(1) << 31)) {
    r.error = "grid too large";
    return r;
  }
  r.grid = unsigned(grid);
  r.needsSmemAttr = r.smemBytes > 48 * 1024;
  return r;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_SSD_FUSED_LAUNCH_H
