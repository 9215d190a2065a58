// The fused chunked SSD forward (schedule `chunked`, fused form): the four
// chunked stages (dt and cumsum, chunk states, state passing, chunk output)
// in one kernel, chunks walked in order by one CTA per (batch, head, block
// of head-dim columns) with the state on chip, so x, dt, B, C are read once
// and y written once.
//
// Per chunk c (rows i, j in the chunk, ℓ = cumulative dt·A·log2(e) from the
// chunk start, S the state [P, N] entering the chunk):
//   y_i  = Σ_{j≤i} (C_i·B_j) 2^(ℓ_i−ℓ_j) dt_j x_j + 2^(ℓ_i) C_i·S + D x_i
//   S'   = 2^(ℓ_last) S + Σ_j x_j ⊗ B_j dt_j 2^(ℓ_last−ℓ_j)
// with every exponent a difference clamped at <= 0 (common.cuh decay()).
//
// Two paths, picked by the storage types:
//  - bf16 x, B, C (any dt and y type): wgmma (sm_90a) with fp32
//    accumulators. Q/64 warpgroups; warpgroup w owns chunk rows
//    [64w, 64w+64) of C·Bᵀ and y, and n-blocks w, w+Q/64, ... of the state,
//    kept transposed (Sᵀ [N, PB]) in fp32 registers. x, B, C tiles arrive by
//    cp.async into 128-byte (64-byte for 32-wide x) swizzled shared memory,
//    two stages deep. The masked, decayed C·Bᵀ goes from the accumulators
//    straight into the A registers of the diagonal product; Sᵀ is rounded to
//    bf16 once per chunk for C·S. Cumsums fp32 within a chunk (the error
//    at Q = 128 is measured in tools/gpu_bench, docs/perf/gpu_ssd.md).
//  - otherwise (fp32): a SIMT loop in 32-token chunks, cumsums in double,
//    state in shared memory; for correctness, not speed.
// Launch: ssdc/ssd_fused_launch.h (fusedSsdLaunch) gives grid, block and
// dynamic shared memory; the kernel reads its head-dim block from the grid.
#ifndef SSDC_CUDA_SSD_FUSED_CUH
#define SSDC_CUDA_SSD_FUSED_CUH

#include "common.cuh"
#include "ssdc/ssd_fused_launch.h"

#include <stdint.h>
#include <type_traits>

namespace ssdc {
namespace cuda {
namespace fused {

constexpr float kLog2e = 1.4426950408889634f;

__device__ __forceinline__ float ex2(float v) {
  float r;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(v));
  return r;
}
/// 2^d for a log2-decay difference d, clamped at <= 0.
__device__ __forceinline__ float decay2(float d) { return ex2(fminf(d, 0.0f)); }

__device__ __forceinline__ uint32_t smemAddr(const void *p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}
/// 16 bytes global -> shared; zero-filled when !valid (src is then not read).
__device__ __forceinline__ void cpAsync16(uint32_t dst, const void *src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
               "r"(valid ? 16 : 0)
               : "memory");
}
__device__ __forceinline__ void cpAsyncCommit() {
  asm volatile("cp.async.commit_group;\n" ::: "memory");
}
template <int N> __device__ __forceinline__ void cpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
/// Generic-proxy shared-memory writes made visible to wgmma (async proxy).
__device__ __forceinline__ void fenceProxyAsync() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}
/// Bulk (TMA engine) copy of `bytes` (a multiple of 16) shared -> global.
__device__ __forceinline__ void bulkStore(void *dst, uint32_t src, uint32_t bytes) {
  asm volatile("cp.async.bulk.global.shared::cta.bulk_group [%0], [%1], %2;\n" ::"l"(dst), "r"(src),
               "r"(bytes)
               : "memory");
}
__device__ __forceinline__ void bulkCommit() {
  asm volatile("cp.async.bulk.commit_group;\n" ::: "memory");
}
/// Wait until every committed bulk copy of this thread has read its source.
__device__ __forceinline__ void bulkWaitRead() {
  asm volatile("cp.async.bulk.wait_group.read 0;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaFence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaCommit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
template <int N> __device__ __forceinline__ void wgmmaWait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}
/// Barrier over the 128 threads of warpgroup `wg` < 2 (ids 1, 2; 0 is
/// __syncthreads). Immediate ids: a register id makes ptxas reserve all 16.
__device__ __forceinline__ void wgBarrier(int wg) {
  if (wg == 0)
    asm volatile("bar.sync 1, 128;\n" ::: "memory");
  else
    asm volatile("bar.sync 2, 128;\n" ::: "memory");
}

/// Byte offset inside a region of rows of `RB` bytes (128 or 64) with the
/// matching wgmma swizzle: 16-byte chunk index XOR address bits 7.. (the
/// hardware pattern for regions starting on a 1024-byte boundary).
template <int RB> __device__ __forceinline__ uint32_t swz(uint32_t off) {
  return RB == 128 ? off ^ (((off >> 7) & 7u) << 4) : off ^ (((off >> 7) & 3u) << 4);
}
/// wgmma shared-memory descriptor; swizzle 1 = 128-byte, 2 = 64-byte.
__device__ __forceinline__ uint64_t smemDesc(uint32_t addr, uint32_t lbo, uint32_t sbo,
                                             int swizzle) {
  return uint64_t((addr & 0x3FFFF) >> 4) | (uint64_t((lbo & 0x3FFFF) >> 4) << 16) |
         (uint64_t((sbo & 0x3FFFF) >> 4) << 32) | (uint64_t(swizzle) << 62);
}
__device__ __forceinline__ uint32_t packBf16(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t *>(&v);
}

/// wgmma.m64nNk16 bf16 x bf16 -> f32. ss: A and B shared-memory descriptors,
/// TA/TB = 1 for MN-major (transposed) operands; rs: A from registers.
/// (Operand lists written out by a small generator; one struct per N.)
template <int N> struct Wgmma;
template <> struct Wgmma<32> {
  template <int TA, int TB>
  static __device__ __forceinline__ void ss(float (&d)[16], uint64_t a, uint64_t b, int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %18, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n32k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15}, "
                 "%16, %17, p, 1, 1, %19, %20;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15])
                 : "l"(a), "l"(b), "r"(scaleD), "n"(TA), "n"(TB));
  }
  template <int TB>
  static __device__ __forceinline__ void rs(float (&d)[16], const uint32_t (&a)[4], uint64_t b,
                                            int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %21, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n32k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15}, "
                 "{%16, %17, %18, %19}, %20, p, 1, 1, %22;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(scaleD), "n"(TB));
  }
};
template <> struct Wgmma<64> {
  template <int TA, int TB>
  static __device__ __forceinline__ void ss(float (&d)[32], uint64_t a, uint64_t b, int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
                 "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
                 "%32, %33, p, 1, 1, %35, %36;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
                   "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
                   "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
                 : "l"(a), "l"(b), "r"(scaleD), "n"(TA), "n"(TB));
  }
  template <int TB>
  static __device__ __forceinline__ void rs(float (&d)[32], const uint32_t (&a)[4], uint64_t b,
                                            int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
                 "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
                 "{%32, %33, %34, %35}, %36, p, 1, 1, %38;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
                   "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
                   "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(scaleD), "n"(TB));
  }
};
template <> struct Wgmma<128> {
  template <int TA, int TB>
  static __device__ __forceinline__ void ss(float (&d)[64], uint64_t a, uint64_t b, int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
                 "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31,"
                 "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47,"
                 "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
                 "%64, %65, p, 1, 1, %67, %68;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
                   "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
                   "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
                   "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
                   "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
                   "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
                   "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                 : "l"(a), "l"(b), "r"(scaleD), "n"(TA), "n"(TB));
  }
  template <int TB>
  static __device__ __forceinline__ void rs(float (&d)[64], const uint32_t (&a)[4], uint64_t b,
                                            int scaleD) {
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {"
                 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
                 "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31,"
                 "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47,"
                 "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
                 "{%64, %65, %66, %67}, %68, p, 1, 1, %70;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
                   "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
                   "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
                   "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
                   "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
                   "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
                   "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(scaleD), "n"(TB));
  }
};

template <typename T> __device__ __forceinline__ void storePair(T *dst, float a, float b) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    *reinterpret_cast<__nv_bfloat162 *>(dst) = __floats2bfloat162_rn(a, b);
  } else {
    dst[0] = T(a);
    dst[1] = T(b);
  }
}

/// The tensor-core path. PB: head-dim columns per CTA (32 or 64).
/// ABL: benchmark-only ablation switches (0 in every real instance): each bit
/// skips one part so tools/gpu_bench can time what it costs; results are then
/// wrong. 1 C·Bᵀ, 2 C·S, 4 diagonal product, 8 state product, 16 y stores,
/// 32 decay exps, 64 next-chunk loads, 128 x·w. Not skips (results right):
/// 256 y stored straight from the accumulators (v2), 512 staged y stored at
/// the end of its own chunk (v3), both kept to time the deferred stores against;
/// 2048 staged y stored by bulk copies (TMA engine, async proxy), 8192 the
/// deferred stores after the chunk's second barrier. 1024 (a diagnostic,
/// results not guaranteed): no proxy fences. 4096: sequence segments (gridDim.y).
template <int Q, int P, int N, int PB, typename TDT, typename TY, int ABL = 0>
__device__ __forceinline__ void tensorCoreKernel(const SsmParams &p) {
  static_assert(Q == 64 || Q == 128, "fused SSD (bf16): Q must be 64 or 128");
  static_assert(N == 64 || N == 128, "fused SSD (bf16): N must be 64 or 128");
  static_assert(PB == 32 || PB == 64, "fused SSD (bf16): head-dim block 32 or 64");
  static_assert(P % PB == 0, "fused SSD (bf16): PB must divide P");
  constexpr int NWG = Q / 64;           // warpgroups
  constexpr int THREADS = NWG * 128;
  constexpr int RB = PB * 2;            // bytes per row of the x, x·w and Sᵀ tiles
  constexpr int SWX = RB == 128 ? 1 : 2;
  constexpr int NBLK = N / 64;          // 64-wide n blocks of B and C (128-byte rows)
  constexpr int SNB = (NBLK + NWG - 1) / NWG;  // state n-blocks per warpgroup
  constexpr FusedTcSmem lay{Q, PB, N};
  constexpr uint32_t kStage = uint32_t(lay.stage()), kXTile = uint32_t(lay.xTile());
  constexpr uint32_t kBTile = uint32_t(lay.bTile()), kXw = uint32_t(lay.xw());
  constexpr uint32_t kSt = uint32_t(lay.st()), kFloats = uint32_t(lay.floats());

  const __nv_bfloat16 *xIn = static_cast<const __nv_bfloat16 *>(p.x);
  const __nv_bfloat16 *Bin = static_cast<const __nv_bfloat16 *>(p.B);
  const __nv_bfloat16 *Cin = static_cast<const __nv_bfloat16 *>(p.C);
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  TY *yOut = static_cast<TY *>(p.y);

  // Offset into the __shared__ array itself (not a rounded generic pointer),
  // so the compiler keeps shared-memory loads and stores (LDS/STS, not LD/ST).
  extern __shared__ unsigned char fusedSmemRaw[];
  unsigned char *smem = fusedSmemRaw + ((1024u - (smemAddr(fusedSmemRaw) & 1023u)) & 1023u);
  const uint32_t sbase = smemAddr(smem);
  float *cumS = reinterpret_cast<float *>(smem + kFloats);
  float *dtS = cumS + Q;
  float *sums = dtS + Q;

  // The warpgroup index through a shuffle: the compiler then knows it is
  // warp-uniform, so branches on it are not divergent (a divergent path
  // around wgmma makes ptxas serialize every wgmma, C7520).
  const int tid = threadIdx.x, warp = (tid >> 5) & 3, lane = tid & 31;
  const int wg = __shfl_sync(0xffffffffu, tid >> 7, 0);
  const int g4 = lane >> 2, t4 = lane & 3;
  const int64_t H = p.heads, G = p.groups, L = p.len;
  constexpr int splits = P / PB;
  const int64_t pblk = blockIdx.x % splits, bh = blockIdx.x / splits;
  const int64_t b = bh / H, h = bh % H, g = h / (H / G);
  const int p0 = int(pblk) * PB;
  const float A2 = p.A[h] * kLog2e;
  const float Dh = p.D ? p.D[h] : 0.0f;
  const int64_t nChunks = (L + Q - 1) / Q;
  // ABL 4096 (benchmark variant): the sequence's chunks split over gridDim.y
  // segments; segment k first runs the state-only pass (x·w and the state
  // product) over the chunks before it, from the initial state, then the full
  // pass over its own: no communication between CTAs, more of them when
  // batch·heads is small, at the price of the prefix's state work repeated.
  constexpr bool kSeg = (ABL & 4096) != 0;
  const int64_t segStart = kSeg ? int64_t(blockIdx.y) * nChunks / gridDim.y : 0;
  const int64_t segEnd = kSeg ? int64_t(blockIdx.y + 1) * nChunks / gridDim.y : nChunks;

  // ABL 1024 (timing diagnostic only, results not guaranteed): no proxy fences.
  auto fence = [] {
    if constexpr ((ABL & 1024) == 0)
      fenceProxyAsync();
  };

  // Rows of this thread in the accumulator layout (chunk-local).
  const int r0 = 64 * wg + 16 * warp + g4, r1 = r0 + 8;

  auto xTile = [&](int s) { return sbase + s * kStage; };
  auto bTile = [&](int s) { return sbase + s * kStage + kXTile; };
  auto cTile = [&](int s) { return sbase + s * kStage + kXTile + kBTile; };
  const uint32_t xwTile = sbase + kXw, stTile = sbase + kSt;
  // wgmma descriptors at stage 0; an offset of `o` bytes adds o >> 4 (the
  // start-address field is the low 14 bits and shared addresses stay < 256 KiB).
  const uint64_t dC0 = smemDesc(cTile(0) + uint32_t(wg * 64 * 128), 16, 1024, 1);
  const uint64_t dB0 = smemDesc(bTile(0), 16, 1024, 1);        // K-major B (C·Bᵀ)
  const uint64_t dBt0 = smemDesc(bTile(0), Q * 128, 1024, 1);  // M-major A (state)
  const uint64_t dX0 = smemDesc(xTile(0), Q * RB, 8 * RB, SWX);
  const uint64_t dST = smemDesc(stTile, N * RB, 8 * RB, SWX);
  const uint64_t dXW = smemDesc(xwTile, Q * RB, 8 * RB, SWX);

  // Chunk loads: each thread's pieces sit at fixed offsets from the chunk start.
  const int xRow = int(H * P), bRow = int(G * N);  // elements between tokens
  const __nv_bfloat16 *xBase = xIn + (b * L * H + h) * P + p0;
  const __nv_bfloat16 *bBase = Bin + (b * L * G + g) * N;
  const __nv_bfloat16 *cBase = Cin + (b * L * G + g) * N;
  auto loadChunk = [&](int64_t c, int s) {
    if constexpr (ABL & 64) {
      if (c > 0)
        return;
    }
    const int64_t t0 = c * Q;
    const int len = int(L - t0 < Q ? L - t0 : Q);
    constexpr int XC = RB / 16;  // 16-byte pieces per x row
    const __nv_bfloat16 *xc = xBase + t0 * xRow;
#pragma unroll
    for (int e0 = 0; e0 < Q * XC; e0 += THREADS) {
      const int e = e0 + tid, r = e / XC, k = e % XC;
      const bool ok = r < len;
      cpAsync16(xTile(s) + swz<RB>(uint32_t(r * RB + k * 16)), xc + (ok ? r : 0) * xRow + k * 8,
                ok);
    }
    constexpr int BC = N / 8;  // 16-byte pieces per B row
    const __nv_bfloat16 *bc = bBase + t0 * bRow, *cc = cBase + t0 * bRow;
#pragma unroll
    for (int e0 = 0; e0 < Q * BC; e0 += THREADS) {
      const int e = e0 + tid, r = e / BC, k = e % BC;
      const bool ok = r < len;
      const int at = (ok ? r : 0) * bRow + k * 8;
      const uint32_t off =
          uint32_t((k >> 3) * Q * 128) + swz<128>(uint32_t(r * 128 + (k & 7) * 16));
      cpAsync16(bTile(s) + off, bc + at, ok);
      cpAsync16(cTile(s) + off, cc + at, ok);
    }
  };

  // State Sᵀ [N, PB] in registers: warpgroup wg holds n-blocks wg + NWG·k.
  float accS[SNB][PB / 2];
#pragma unroll
  for (int k = 0; k < SNB; ++k)
#pragma unroll
    for (int i = 0; i < PB / 2; ++i)
      accS[k][i] = 0.0f;
  // Element (n, p) of accumulator slot (k, i): n = 64·nb + row, p = col.
  auto forState = [&](auto fn) {
#pragma unroll
    for (int k = 0; k < SNB; ++k) {
      const int nb = wg + NWG * k;
      if (nb < NBLK) {
#pragma unroll
        for (int i = 0; i < PB / 2; ++i) {
          int row = 16 * warp + g4 + ((i & 2) ? 8 : 0);
          int col = 8 * (i >> 2) + 2 * t4 + (i & 1);
          fn(k, i, 64 * nb + row, col);
        }
      }
    }
  };
  auto writeStateBf16 = [&]() {
#pragma unroll
    for (int k = 0; k < SNB; ++k) {
      const int nb = wg + NWG * k;
      if (nb < NBLK) {
        // Rows n and n + 8 share n % 8, so one swizzle term serves every element.
        const uint32_t o = uint32_t((64 * nb + 16 * warp + g4) * RB + 4 * t4);
        const uint32_t xr = ((o >> 7) & (RB == 128 ? 7u : 3u)) << 4;
#pragma unroll
        for (int i = 0; i < PB / 2; i += 2) {
          const uint32_t off = ((o + uint32_t((i >> 2) * 16)) ^ xr) + ((i & 2) ? 8 * RB : 0);
          uint32_t v = packBf16(accS[k][i], accS[k][i + 1]);
          asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(stTile + off), "r"(v) : "memory");
        }
      }
    }
  };
  bool hasState = p.initState != nullptr;
  if (hasState) {
    const float *init = p.initState + (b * H + h) * int64_t(P) * N;
    forState([&](int k, int i, int n, int col) { accS[k][i] = init[int64_t(p0 + col) * N + n]; });
    writeStateBf16();
  }

  // bf16 y is staged through shared memory (see the epilogue below): each
  // thread moves 16-byte pieces `ypk` of rows ypr + k·YROWS, so a warp store
  // covers whole rows (RB bytes each). Deferred (kDeferY): the pieces this
  // thread's own cp.async of the x tile overwrites next (loadChunk's mapping),
  // so reading them just before issuing that load needs no barrier. At the
  // end of the chunk (ABL 512): the warpgroup's own 64 rows (its barrier).
  constexpr bool kStageY =
      std::is_same_v<TY, __nv_bfloat16> && (ABL & 16) == 0 && (ABL & 256) == 0;
  // ABL 2048: staged y leaves by bulk (TMA engine) copies, one per row, from
  // a padded copy in this stage's C tile (free once the chunk's C·Bᵀ and C·S
  // are done); only where that tile holds Q rows of RB + 16 bytes.
  constexpr int YS = RB + 16;  // padded row: conflict-free from the accumulators
  constexpr bool kBulkY = kStageY && (ABL & 2048) != 0 && Q * YS <= int(kBTile);
  constexpr bool kDeferY = kStageY && (ABL & 512) == 0 && !kBulkY;
  constexpr int YXC = RB / 16, YROWS = (kDeferY ? THREADS : 128) / YXC, YPASS = RB / 32;
  static_assert(YPASS * YROWS == (kDeferY ? Q : 64), "staged y: every row once");
  const int ypr = kDeferY ? tid / YXC : 64 * wg + (tid & 127) / YXC, ypk = tid % YXC;
  // Rows ypr + k·YROWS (YROWS a multiple of 8) share one swizzle term.
  const uint32_t ySo = swz<RB>(uint32_t(ypr * RB + ypk * 16));
  __nv_bfloat16 *const yBase = reinterpret_cast<__nv_bfloat16 *>(yOut) +
                               ((b * L + ypr) * H + h) * P + p0 + ypk * 8;
  uint32_t yHeld[YPASS][4];
  auto loadStagedY = [&](int st) {
#pragma unroll
    for (int k = 0; k < YPASS; ++k)
      asm volatile("ld.shared.v4.b32 {%0, %1, %2, %3}, [%4];\n"
                   : "=r"(yHeld[k][0]), "=r"(yHeld[k][1]), "=r"(yHeld[k][2]), "=r"(yHeld[k][3])
                   : "r"(xTile(st) + ySo + uint32_t(k * YROWS * RB))
                   : "memory");
  };
  auto storeHeldY = [&](int64_t ct0, int clen) {
#pragma unroll
    for (int k = 0; k < YPASS; ++k)
      if (ypr + k * YROWS < clen)
        asm volatile("st.global.v4.b32 [%0], {%1, %2, %3, %4};\n" ::"l"(
                         yBase + (ct0 + k * YROWS) * int64_t(xRow)),
                     "r"(yHeld[k][0]), "r"(yHeld[k][1]), "r"(yHeld[k][2]), "r"(yHeld[k][3])
                     : "memory");
  };

  // Raw dt of the chunk in flight, one per thread < Q.
  float dtRaw = 0.0f;
  if (segEnd > 0) {
    if (tid < Q && tid < L)
      dtRaw = float(dtIn[(b * L + tid) * H + h]);
    loadChunk(0, 0);
  }
  cpAsyncCommit();

  for (int64_t c = 0; c < segEnd; ++c) {
    const int s = int(c & 1);
    const bool full = !kSeg || c >= segStart;  // uniform: y of this chunk wanted
    const int64_t t0 = c * Q;
    const int len = int(L - t0 < Q ? L - t0 : Q);
    // The previous chunk's y, staged in stage s ^ 1, to registers before
    // that stage is reloaded; stored after the barrier below.
    if constexpr (kDeferY) {
      if (c > segStart)
        loadStagedY(s ^ 1);
    }
    // dt of this chunk (0 past the end), then prefetch the next chunk.
    float dtv = 0.0f;
    if (tid < len)
      dtv = processDt(dtRaw, p.dtBias, h, p.dtSoftplus, p.dtMin, p.dtMax);
    if (c + 1 < segEnd) {
      const int64_t tn = t0 + Q + tid;
      if (tid < Q && tn < L)
        dtRaw = float(dtIn[(b * L + tn) * H + h]);
      loadChunk(c + 1, s ^ 1);
    }
    cpAsyncCommit();
    // Inclusive scan of dt·A·log2(e) within each warp; warp totals to smem.
    float run = dtv * A2;
    if (tid < Q) {
#pragma unroll
      for (int o = 1; o < 32; o <<= 1) {
        float v = __shfl_up_sync(0xffffffffu, run, o);
        if (lane >= o)
          run += v;
      }
      if (lane == 31)
        sums[tid >> 5] = run;
    }
    cpAsyncWait<1>();
    fence();
    __syncthreads();
    // Deferred y stores of the previous chunk (always a whole chunk): issued
    // here, right after a proxy fence and a barrier, they have this chunk's
    // products to complete behind; stored at the end of their own chunk,
    // the next fence and barrier came right after them.
    if constexpr (kDeferY && (ABL & 8192) == 0) {
      if (c > segStart)
        storeHeldY(t0 - Q, Q);
    }
    if (tid < Q) {
      for (int w = 0; w < (tid >> 5); ++w)
        run += sums[w];
      cumS[tid] = run;
      dtS[tid] = dtv;
    }
    __syncthreads();
    // ABL 8192 (not yet measured): the deferred stores after this barrier
    // instead, so the longest barrier-free stretch of the chunk (its products)
    // follows them; for the case that a barrier waits for the issuing
    // threads' outstanding global stores (docs/perf/gpu_ssd.md, v4).
    if constexpr (kDeferY && (ABL & 8192) != 0) {
      if (c > segStart)
        storeHeldY(t0 - Q, Q);
    }

    // x·w for the state update, w_j = dt_j 2^(ℓ_last−ℓ_j) (while the diagonal
    // product runs, in a full chunk).
    const float cumLast = cumS[Q - 1];
    auto computeXw = [&]() {
      if constexpr ((ABL & 128) == 0) {
        // Thread tid owns 16-byte piece tid % XC of rows tid / XC + k·THREADS/XC;
        // those rows share row % 8, so the swizzled offset is a fixed base + k·stride.
        constexpr int XC = RB / 16, ROWS = THREADS / XC;
        const int rBase = tid / XC;
        const uint32_t oBase = swz<RB>(uint32_t(rBase * RB + (tid % XC) * 16));
#pragma unroll
        for (int k = 0; k < Q / ROWS; ++k) {
          const int r = rBase + k * ROWS;
          const float w = dtS[r] * decay2(cumLast - cumS[r]);
          const uint32_t off = oBase + uint32_t(k * ROWS * RB);
          uint4 v = *reinterpret_cast<const uint4 *>(smem + s * kStage + off);
          __nv_bfloat162 *pv = reinterpret_cast<__nv_bfloat162 *>(&v);
#pragma unroll
          for (int q = 0; q < 4; ++q) {
            float2 f = __bfloat1622float2(pv[q]);
            pv[q] = __floats2bfloat162_rn(f.x * w, f.y * w);
          }
          *reinterpret_cast<uint4 *>(smem + kXw + off) = v;
        }
      }
    };
    // y = accY + D x for the rows inside the sequence. bf16 y is staged:
    // rounded and packed here (x is still being read: D·x below, and x·w and
    // the diagonal products of other warpgroups), written over this stage's
    // x tile after the barrier, and stored as whole 16-byte row pieces after
    // the next chunk's first barrier (kDeferY; ABL 512: right away, while the
    // state product runs). Storing straight from the accumulator layout
    // (4-byte pairs, 8 rows of 16 bytes per warp store, ABL 256) and storing
    // at the end of the chunk both leave most of the store cost exposed
    // (docs/perf/gpu_ssd.md). Other y types store directly.
    // Rows r0 and r1 = r0 + 8 (same swizzle), columns 8·ct + 2·t4.
    const uint32_t xo = uint32_t(r0 * RB + 4 * t4), xr = ((xo >> 7) & (RB == 128 ? 7u : 3u)) << 4;
    uint32_t yPk[kStageY ? PB / 4 : 1];
    float accY[PB / 2];
    if (full) {
      // C·Bᵀ for this warpgroup's 64 rows (all Q columns), K = N.
      float accCB[Q / 2];
      if constexpr ((ABL & 1) != 0) {
#pragma unroll
        for (int i = 0; i < Q / 2; ++i)
          accCB[i] = 1.0f;
      }
      wgmmaFence();
#pragma unroll
      for (int kk = 0; kk < ((ABL & 1) ? 0 : N / 16); ++kk) {
        uint32_t blk = uint32_t((kk >> 2) * Q * 128), kOff = uint32_t((kk & 3) * 32);
        const uint64_t da = dC0 + ((s * kStage + blk + kOff) >> 4);
        const uint64_t db = dB0 + ((s * kStage + blk + kOff) >> 4);
        Wgmma<Q>::template ss<0, 0>(accCB, da, db, kk > 0);
      }
      wgmmaCommit();
      // C·S (state entering the chunk), K = N; Sᵀ bf16 [N][PB] is N-major B.
      if (hasState && !(ABL & 2)) {
#pragma unroll
        for (int kk = 0; kk < N / 16; ++kk) {
          uint32_t blk = uint32_t((kk >> 2) * Q * 128), kOff = uint32_t((kk & 3) * 32);
          const uint64_t da = dC0 + ((s * kStage + blk + kOff) >> 4);
          const uint64_t db = dST + ((kk * 16 * RB) >> 4);
          Wgmma<PB>::template ss<0, 1>(accY, da, db, kk > 0);
        }
        wgmmaCommit();
      }
      wgmmaWait<0>();

      const float cum0 = cumS[r0], cum1 = cumS[r1];
      if (hasState && !(ABL & 2)) {
        const float e0 = decay2(cum0), e1 = decay2(cum1);
#pragma unroll
        for (int i = 0; i < PB / 2; ++i)
          accY[i] *= (i & 2) ? e1 : e0;
      } else {
#pragma unroll
        for (int i = 0; i < PB / 2; ++i)
          accY[i] = 0.0f;
      }
      // L[i][j] = (C_i·B_j) 2^(ℓ_i−ℓ_j) dt_j for j <= i, as bf16 A fragments.
      uint32_t aL[Q / 16][4];
#pragma unroll
      for (int kk = 0; kk < Q / 16; ++kk) {
#pragma unroll
        for (int r = 0; r < 4; ++r) {
          const int idx = 8 * kk + 2 * r;  // accumulator index of the pair
          const int row = (idx & 2) ? r1 : r0;
          const float cr = (idx & 2) ? cum1 : cum0;
          const int j = 8 * (idx >> 2) + 2 * t4;
          float v0, v1;
          if constexpr ((ABL & 32) != 0) {
            v0 = accCB[idx];
            v1 = accCB[idx + 1];
          } else {
            v0 = j <= row ? accCB[idx] * decay2(cr - cumS[j]) * dtS[j] : 0.0f;
            v1 = j + 1 <= row ? accCB[idx + 1] * decay2(cr - cumS[j + 1]) * dtS[j + 1] : 0.0f;
          }
          aL[kk][r] = packBf16(v0, v1);
        }
      }
      // Diagonal block: y += L · x, K = chunk rows j; x [j][p] is N-major B.
      wgmmaFence();
#pragma unroll
      for (int kk = 0; kk < ((ABL & 4) ? 0 : Q / 16); ++kk) {
        const uint64_t db = dX0 + ((s * kStage + uint32_t(kk * 16 * RB)) >> 4);
        Wgmma<PB>::template rs<1>(accY, aL[kk], db, 1);
      }
      wgmmaCommit();

      computeXw();
      fence();
      wgmmaWait<0>();
      if constexpr ((ABL & 16) == 0) {
        const unsigned char *xs = smem + s * kStage;
        TY *y0 = yOut + ((b * L + t0 + r0) * H + h) * P + p0 + 2 * t4;
        TY *y1 = y0 + 8 * int64_t(xRow);
        const bool ok0 = r0 < len, ok1 = r1 < len;
#pragma unroll
        for (int ct = 0; ct < PB / 8; ++ct) {
          const uint32_t o0 = (xo + uint32_t(ct * 16)) ^ xr;
          const float2 xf0 = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162 *>(xs + o0));
          const float2 xf1 =
              __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162 *>(xs + o0 + 8 * RB));
          const float v0 = accY[4 * ct] + Dh * xf0.x, v1 = accY[4 * ct + 1] + Dh * xf0.y;
          const float v2 = accY[4 * ct + 2] + Dh * xf1.x, v3 = accY[4 * ct + 3] + Dh * xf1.y;
          if constexpr (kStageY) {
            yPk[2 * ct] = packBf16(v0, v1);
            yPk[2 * ct + 1] = packBf16(v2, v3);
          } else {
            if (ok0)
              storePair(y0 + 8 * ct, v0, v1);
            if (ok1)
              storePair(y1 + 8 * ct, v2, v3);
          }
        }
      }
    } else {  // a prefix chunk of a later segment (ABL 4096): the state only
      computeXw();
      fence();
    }
    __syncthreads();  // x·w complete; every warpgroup done reading Sᵀ and this stage's x

    // State: Sᵀ = 2^(ℓ_last) Sᵀ + Bᵀ (x·w), M = n (64 per block), K = j.
    // (Reads the B tile and x·w, not the x tile: y is staged there meanwhile.)
    {
      const float eLast = decay2(cumLast);
#pragma unroll
      for (int k = 0; k < SNB; ++k)
#pragma unroll
        for (int i = 0; i < PB / 2; ++i)
          accS[k][i] *= eLast;
      wgmmaFence();
#pragma unroll
      for (int k = 0; k < SNB; ++k) {
        const int nb = wg + NWG * k;
        if (nb < NBLK) {
#pragma unroll
          for (int kk = 0; kk < ((ABL & 8) ? 0 : Q / 16); ++kk) {
            const uint64_t da = dBt0 + ((s * kStage + uint32_t(nb * Q * 128 + kk * 16 * 128)) >> 4);
            const uint64_t db = dXW + ((kk * 16 * RB) >> 4);
            Wgmma<PB>::template ss<1, 1>(accS[k], da, db, 1);
          }
        }
      }
      wgmmaCommit();
    }
    if (!full) {
    } else if constexpr (kBulkY) {
      // Rows [64·wg, 64·wg + 64) into the C tile, RB + 16 bytes apart; then
      // one bulk copy per row (64 threads), read back before the stage is
      // reloaded (bulkWaitRead below, before the chunk's last barrier).
      const uint32_t yt = cTile(s);
#pragma unroll
      for (int ct = 0; ct < PB / 8; ++ct) {
        const uint32_t o0 = uint32_t(r0 * YS + ct * 16 + 4 * t4);
        asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(yt + o0), "r"(yPk[2 * ct]) : "memory");
        asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(yt + o0 + 8 * YS), "r"(yPk[2 * ct + 1])
                     : "memory");
      }
      fenceProxyAsync();  // generic writes -> the bulk copies' async-proxy reads
      if constexpr (NWG == 1)
        asm volatile("bar.sync 1, 128;\n" ::: "memory");
      else
        wgBarrier(wg);
      const int row = 64 * wg + (tid & 127);
      if ((tid & 127) < 64 && row < len) {
        bulkStore(reinterpret_cast<__nv_bfloat16 *>(yOut) + ((b * L + t0 + row) * H + h) * P + p0,
                  yt + uint32_t(row * YS), uint32_t(RB));
        bulkCommit();
      }
    } else if constexpr (kStageY) {
      // This warpgroup's rows [64·wg, 64·wg + 64) of y into the x tile (same
      // swizzled offsets as the x it replaces: conflict-free).
      const uint32_t xt = xTile(s);
#pragma unroll
      for (int ct = 0; ct < PB / 8; ++ct) {
        const uint32_t o0 = (xo + uint32_t(ct * 16)) ^ xr;
        asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(xt + o0), "r"(yPk[2 * ct]) : "memory");
        asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(xt + o0 + 8 * RB), "r"(yPk[2 * ct + 1])
                     : "memory");
      }
      if constexpr (!kDeferY) {
        if constexpr (NWG == 1)
          asm volatile("bar.sync 1, 128;\n" ::: "memory");
        else
          wgBarrier(wg);
        loadStagedY(s);
        storeHeldY(t0, len);
      }
    }
    wgmmaWait<0>();
    writeStateBf16();
    hasState = true;
    if constexpr (kBulkY) {
      if ((tid & 127) < 64)
        bulkWaitRead();
    }
    fence();
    __syncthreads();  // Sᵀ written; stage s and x·w free
  }

  if constexpr (kDeferY) {
    if (segEnd > segStart) {  // the last chunk's y (staged; the loop ended on a barrier)
      const int64_t tl = (segEnd - 1) * Q;
      loadStagedY(int((segEnd - 1) & 1));
      storeHeldY(tl, int(L - tl < Q ? L - tl : Q));
    }
  }
  if (kSeg && blockIdx.y + 1 != gridDim.y)
    return;  // an earlier segment: its state is not the final one
  float *fin = p.finalState + (b * H + h) * int64_t(P) * N;
  forState([&](int k, int i, int n, int col) { fin[int64_t(p0 + col) * N + n] = accS[k][i]; });
}

/// The SIMT path (fp32 or mixed storage): 32-token chunks, cumulative log
/// decays in double (differences of running sums, as ssm_quadratic.cuh),
/// the state [PB, N] in shared memory. PB: head-dim columns per CTA.
template <int P, int N, int PB, typename TX, typename TDT, typename TB, typename TY>
__device__ __forceinline__ void simtKernel(const SsmParams &p) {
  constexpr int T = kFusedSimtChunk, THREADS = kFusedSimtThreads, SP = N + 1;
  extern __shared__ __align__(16) unsigned char fusedSmemRaw[];
  double *cum = reinterpret_cast<double *>(fusedSmemRaw);  // [T]
  float *xs = reinterpret_cast<float *>(cum + T);           // [T][PB]
  float *Bs = xs + T * PB;                                  // [T][N+1]
  float *Cs = Bs + T * SP;                                  // [T][N+1]
  float *S = Cs + T * SP;                                   // [PB][N+1]
  float *Lm = S + PB * SP;                                  // [T][T+1]
  float *dts = Lm + T * (T + 1);                            // [T]
  float *ws = dts + T;                                      // [T]

  const TX *xIn = static_cast<const TX *>(p.x);
  const TDT *dtIn = static_cast<const TDT *>(p.dt);
  const TB *Bin = static_cast<const TB *>(p.B), *Cin = static_cast<const TB *>(p.C);
  TY *yOut = static_cast<TY *>(p.y);
  const int tid = threadIdx.x;
  const int64_t H = p.heads, G = p.groups, L = p.len;
  constexpr int splits = P / PB;
  const int64_t pblk = blockIdx.x % splits, bh = blockIdx.x / splits;
  const int64_t b = bh / H, h = bh % H, g = h / (H / G);
  const int p0 = int(pblk) * PB;
  const double A = p.A[h];
  const float Dh = p.D ? p.D[h] : 0.0f;

  for (int e = tid; e < PB * N; e += THREADS) {
    int pi = e / N, n = e % N;
    S[pi * SP + n] = p.initState ? p.initState[((b * H + h) * P + p0 + pi) * N + n] : 0.0f;
  }
  for (int64_t t0 = 0; t0 < L; t0 += T) {
    const int len = int(L - t0 < T ? L - t0 : T);
    __syncthreads();  // previous chunk done with the tiles
    for (int e = tid; e < T * PB; e += THREADS) {
      int r = e / PB, pi = e % PB;
      xs[e] = r < len ? float(xIn[((b * L + t0 + r) * H + h) * P + p0 + pi]) : 0.0f;
    }
    for (int e = tid; e < T * N; e += THREADS) {
      int r = e / N, n = e % N;
      int64_t at = ((b * L + t0 + r) * G + g) * N + n;
      Bs[r * SP + n] = r < len ? float(Bin[at]) : 0.0f;
      Cs[r * SP + n] = r < len ? float(Cin[at]) : 0.0f;
    }
    if (tid < T)
      dts[tid] = tid < len ? processDt(float(dtIn[(b * L + t0 + tid) * H + h]), p.dtBias, h,
                                       p.dtSoftplus, p.dtMin, p.dtMax)
                           : 0.0f;
    __syncthreads();
    if (tid < 32) {  // inclusive scan of dt·A in double (T == 32: one warp)
      double run = double(dts[tid]) * A;
#pragma unroll
      for (int o = 1; o < 32; o <<= 1) {
        double v = __shfl_up_sync(0xffffffffu, run, o);
        if (tid >= o)
          run += v;
      }
      cum[tid] = run;
      double last = __shfl_sync(0xffffffffu, run, 31);
      ws[tid] = dts[tid] * decay(float(last - run));
    }
    __syncthreads();
    for (int e = tid; e < T * T; e += THREADS) {
      int i = e / T, j = e % T;
      float v = 0.0f;
      if (j <= i) {
        float dot = 0.0f;
        for (int n = 0; n < N; ++n)
          dot += Cs[i * SP + n] * Bs[j * SP + n];
        v = dot * decay(float(cum[i] - cum[j])) * dts[j];
      }
      Lm[i * (T + 1) + j] = v;
    }
    __syncthreads();
    for (int e = tid; e < T * PB; e += THREADS) {
      int i = e / PB, pi = e % PB;
      if (i >= len)
        continue;
      float acc = 0.0f;
      for (int j = 0; j <= i; ++j)
        acc += Lm[i * (T + 1) + j] * xs[j * PB + pi];
      float cs = 0.0f;
      for (int n = 0; n < N; ++n)
        cs += Cs[i * SP + n] * S[pi * SP + n];
      acc += decay(float(cum[i])) * cs + Dh * xs[i * PB + pi];
      yOut[((b * L + t0 + i) * H + h) * P + p0 + pi] = TY(acc);
    }
    __syncthreads();
    const float eLast = decay(float(cum[T - 1]));
    for (int e = tid; e < PB * N; e += THREADS) {
      int pi = e / N, n = e % N;
      float s = eLast * S[pi * SP + n];
      for (int j = 0; j < T; ++j)
        s += xs[j * PB + pi] * ws[j] * Bs[j * SP + n];
      S[pi * SP + n] = s;
    }
  }
  __syncthreads();
  for (int e = tid; e < PB * N; e += THREADS) {
    int pi = e / N, n = e % N;
    p.finalState[((b * H + h) * P + p0 + pi) * N + n] = S[pi * SP + n];
  }
}

} // namespace fused

/// The fused chunked SSD forward over SsmParams (same semantics as
/// ssmRecurrentKernel/ssmQuadraticKernel). Q: chunk, P: head dim, N: state
/// dim, all compile-time. bf16 x and B/C take the wgmma path (sm_90a), any
/// other storage types the SIMT fp32 path. Launch with fusedSsdLaunch().
template <int Q, int P, int N, typename TX, typename TDT, typename TB, typename TY>
__device__ void ssmChunkedFusedKernel(const SsmParams &p) {
  constexpr bool tensorCores =
      std::is_same_v<TX, __nv_bfloat16> && std::is_same_v<TB, __nv_bfloat16>;
  if constexpr (tensorCores) {
#if !defined(__CUDA_ARCH__) || defined(__CUDA_ARCH_FEAT_SM90_ALL)
    if constexpr (P == 32) {
      fused::tensorCoreKernel<Q, P, N, 32, TDT, TY>(p);
    } else {
      if (int64_t(gridDim.x) == p.batch * p.heads * (P / 32))
        fused::tensorCoreKernel<Q, P, N, 32, TDT, TY>(p);
      else
        fused::tensorCoreKernel<Q, P, N, 64, TDT, TY>(p);
    }
#else
    __trap();  // the bf16 path needs sm_90a (wgmma)
#endif
  } else {
    fused::simtKernel<P, N, (P < 64 ? P : 64), TX, TDT, TB, TY>(p);
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_SSD_FUSED_CUH
