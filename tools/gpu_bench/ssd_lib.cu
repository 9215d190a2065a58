// A shared library around the fused chunked SSD kernel
// (codegen/cuda/templates/ssd_fused.cuh) for tools/gpu_bench/bench_ssd.py:
// a few instances (one per storage-type combination and shape used by the
// benchmark), each wrapped the way the CUDA emitter wraps a template
// (`__global__ void k(SsmParams p) { template(p); }`), launched with
// fusedSsdLaunch() from ssdc/ssd_fused_launch.h on device pointers.
// Build: nvcc -gencode=arch=compute_90a,code=sm_90a -O3 -std=c++17 --shared
//   -Xcompiler -fPIC -I codegen/cuda/include -I codegen/cuda/templates
//   tools/gpu_bench/ssd_lib.cu -o libssd.so
#include "ssd_fused.cuh"

#include <cstdio>
#include <cstring>

using namespace ssdc::cuda;

namespace {

// dtype codes: 0 = f32, 1 = bf16
template <typename T> constexpr int code();
template <> constexpr int code<float>() { return 0; }
template <> constexpr int code<__nv_bfloat16>() { return 1; }

using KernelFn = void (*)(SsmParams);

struct Instance {
  int x, dt, y, q, p, n;
  KernelFn fn;
};

template <int Q, int P, int N, typename TX, typename TDT, typename TY>
__global__ void fusedKernel(SsmParams p) {
  ssmChunkedFusedKernel<Q, P, N, TX, TDT, TX, TY>(p);
}

#define SSD_INST(Q, P, N, TX, TDT, TY)                                                   \
  Instance{code<TX>(), code<TDT>(), code<TY>(), Q, P, N, &fusedKernel<Q, P, N, TX, TDT, TY>}

using bf16 = __nv_bfloat16;
const Instance kInstances[] = {
    SSD_INST(64, 64, 128, bf16, bf16, bf16),    SSD_INST(128, 64, 128, bf16, bf16, bf16),
    SSD_INST(64, 32, 64, bf16, bf16, bf16),     SSD_INST(128, 128, 64, bf16, bf16, bf16),
    SSD_INST(64, 128, 128, bf16, bf16, bf16),   SSD_INST(128, 32, 128, bf16, bf16, bf16),
    SSD_INST(64, 64, 128, bf16, float, bf16),   SSD_INST(128, 64, 64, bf16, float, float),
    SSD_INST(64, 64, 128, float, float, float), SSD_INST(128, 32, 64, float, float, float),
    SSD_INST(64, 128, 128, float, float, float), SSD_INST(128, 64, 64, float, float, float),
};

char gError[512];

int fail(const char *what, cudaError_t e) {
  snprintf(gError, sizeof gError, "%s: %s", what, e == cudaSuccess ? "" : cudaGetErrorString(e));
  return e == cudaSuccess ? -1 : int(e);
}



// Benchmark-only ablations of the Q=64 P=64 N=128 bf16 instance (see ABL in
// ssd_fused.cuh): ssd_fused_ablate(mask, ...) times what each part costs.
template <int ABL> __global__ void ablatedKernel(SsmParams p) {
  fused::tensorCoreKernel<64, 64, 128, 64, __nv_bfloat16, __nv_bfloat16, ABL>(p);
}
const KernelFn kAblated[] = {&ablatedKernel<1>,  &ablatedKernel<2>,  &ablatedKernel<4>,
                             &ablatedKernel<8>,  &ablatedKernel<16>, &ablatedKernel<32>,
                             &ablatedKernel<64>, &ablatedKernel<128>, &ablatedKernel<255>,
                             &ablatedKernel<256>, &ablatedKernel<512>,
                             &ablatedKernel<1024>, &ablatedKernel<1536>, &ablatedKernel<2048>,
                             &ablatedKernel<8192>};
const int kAblatedMask[] = {1,   2,   4,    8,    16,   32,   64, 128,
                            255, 256, 512, 1024, 1536, 2048, 8192};

// The sequence-segmented variant (ABL 4096): Q = 64 or 128, P = 64, N = 128, bf16.
template <int Q> __global__ void segmentedKernel(SsmParams p) {
  fused::tensorCoreKernel<Q, 64, 128, 64, __nv_bfloat16, __nv_bfloat16, 4096>(p);
}

SsmParams benchParams(const void *x, const void *dt, const float *A, const void *B, const void *C,
                      const float *D, const float *dtBias, void *y, float *finalState,
                      long long batch, long long len, long long heads) {
  SsmParams prm{};
  prm.x = x;
  prm.dt = dt;
  prm.A = A;
  prm.B = B;
  prm.C = C;
  prm.D = D;
  prm.dtBias = dtBias;
  prm.y = y;
  prm.finalState = finalState;
  prm.batch = batch;
  prm.len = len;
  prm.heads = heads;
  prm.headdim = 64;
  prm.groups = 1;
  prm.dstate = 128;
  prm.dtSoftplus = 1;
  prm.dtMin = 0.0f;
  prm.dtMax = 1e30f;
  return prm;
}

} // namespace

extern "C" const char *ssd_last_error() { return gError; }

/// Same arguments as ssd_fused_ablate, bf16, P=64 N=128, Q = 64 or 128, the
/// sequence's chunks split over `segments` CTAs (gridDim.y), no initial state.
extern "C" int ssd_fused_segments(int q, int segments, const void *x, const void *dt,
                                  const float *A, const void *B, const void *C, const float *D,
                                  const float *dtBias, void *y, float *finalState,
                                  long long batch, long long len, long long heads, void *stream) {
  if ((q != 64 && q != 128) || segments < 1 || segments > 65535)
    return -1;
  KernelFn fn = q == 64 ? &segmentedKernel<64> : &segmentedKernel<128>;
  FusedSsdLaunch l = fusedSsdLaunch(q, 64, 128, batch, heads, len, true, 64);
  SsmParams prm = benchParams(x, dt, A, B, C, D, dtBias, y, finalState, batch, len, heads);
  cudaError_t e = cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(l.smemBytes));
  if (e != cudaSuccess)
    return fail("cudaFuncSetAttribute", e);
  fn<<<dim3(l.grid, unsigned(segments)), l.block, l.smemBytes,
       static_cast<cudaStream_t>(stream)>>>(prm);
  e = cudaGetLastError();
  return e == cudaSuccess ? 0 : fail("launch segmented", e);
}

/// Same arguments as ssd_fused for bf16 x/dt/y, Q=64 P=64 N=128, with one ablation mask.
extern "C" int ssd_fused_ablate(int mask, const void *x, const void *dt, const float *A,
                                const void *B, const void *C, const float *D, const float *dtBias,
                                void *y, float *finalState, long long batch, long long len,
                                long long heads, void *stream) {
  KernelFn fn = nullptr;
  for (int i = 0; i < int(sizeof kAblatedMask / sizeof kAblatedMask[0]); ++i)
    if (kAblatedMask[i] == mask)
      fn = kAblated[i];
  if (!fn)
    return -1;
  FusedSsdLaunch l = fusedSsdLaunch(64, 64, 128, batch, heads, len, true, 64);
  SsmParams prm{};
  prm.x = x;
  prm.dt = dt;
  prm.A = A;
  prm.B = B;
  prm.C = C;
  prm.D = D;
  prm.dtBias = dtBias;
  prm.y = y;
  prm.finalState = finalState;
  prm.batch = batch;
  prm.len = len;
  prm.heads = heads;
  prm.headdim = 64;
  prm.groups = 1;
  prm.dstate = 128;
  prm.dtSoftplus = 1;
  prm.dtMin = 0.0f;
  prm.dtMax = 1e30f;
  cudaError_t e = cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(l.smemBytes));
  if (e != cudaSuccess)
    return fail("cudaFuncSetAttribute", e);
  fn<<<l.grid, l.block, l.smemBytes, static_cast<cudaStream_t>(stream)>>>(prm);
  e = cudaGetLastError();
  return e == cudaSuccess ? 0 : fail("launch ablated", e);
}


/// Launch geometry, for the benchmark's report. Returns 0 or -1 (unsupported).
extern "C" int ssd_fused_geometry(int tensorCores, int q, int p, int n, long long batch,
                                  long long heads, long long len, int pBlock, unsigned *grid,
                                  unsigned *block, unsigned long long *smem) {
  FusedSsdLaunch l = fusedSsdLaunch(q, p, n, batch, heads, len, tensorCores != 0, pBlock);
  if (l.error) {
    snprintf(gError, sizeof gError, "%s", l.error);
    return -1;
  }
  *grid = l.grid;
  *block = l.block;
  *smem = l.smemBytes;
  return 0;
}

/// y, finalState = SSD(x, dt, A, B, C, D, dtBias, initState): one launch on
/// `stream`. dtypes: 0 = f32, 1 = bf16 (B and C have x's type).
extern "C" int ssd_fused(int xType, int dtType, int yType, int q, int p, int n, const void *x,
                         const void *dt, const float *A, const void *B, const void *C,
                         const float *D, const float *dtBias, const float *initState, void *y,
                         float *finalState, long long batch, long long len, long long heads,
                         long long groups, int softplus, float dtMin, float dtMax, int pBlock,
                         void *stream) {
  const Instance *inst = nullptr;
  for (const Instance &i : kInstances)
    if (i.x == xType && i.dt == dtType && i.y == yType && i.q == q && i.p == p && i.n == n)
      inst = &i;
  if (!inst) {
    snprintf(gError, sizeof gError, "no instance for x%d dt%d y%d Q%d P%d N%d", xType, dtType,
             yType, q, p, n);
    return -1;
  }
  if (heads % groups != 0) {
    snprintf(gError, sizeof gError, "heads %% groups != 0");
    return -1;
  }
  FusedSsdLaunch l = fusedSsdLaunch(q, p, n, batch, heads, len, xType == 1, pBlock);
  if (l.error) {
    snprintf(gError, sizeof gError, "%s", l.error);
    return -1;
  }
  SsmParams prm{};
  prm.x = x;
  prm.dt = dt;
  prm.A = A;
  prm.B = B;
  prm.C = C;
  prm.D = D;
  prm.dtBias = dtBias;
  prm.initState = initState;
  prm.y = y;
  prm.finalState = finalState;
  prm.batch = batch;
  prm.len = len;
  prm.heads = heads;
  prm.headdim = p;
  prm.groups = groups;
  prm.dstate = n;
  prm.dtSoftplus = softplus;
  prm.dtMin = dtMin;
  prm.dtMax = dtMax;
  cudaError_t e;
  if (l.needsSmemAttr) {
    e = cudaFuncSetAttribute(inst->fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             int(l.smemBytes));
    if (e != cudaSuccess)
      return fail("cudaFuncSetAttribute", e);
  }
  inst->fn<<<l.grid, l.block, l.smemBytes, static_cast<cudaStream_t>(stream)>>>(prm);
  e = cudaGetLastError();
  if (e != cudaSuccess)
    return fail("launch ssmChunkedFusedKernel", e);
  return 0;
}
