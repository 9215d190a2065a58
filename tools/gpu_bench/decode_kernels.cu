// The decode-step kernels of a mamba2-2.7b layer alone (issue 7 target 3,
// docs/perf/gpu_decode.md): the SSM state update (ssm_recurrent.cuh, L = 1,
// bf16 activations, f32 state), the gated RMSNorm over d_inner 5120 and the
// pre-norm over d_model 2560 (rmsnorm.cuh), the conv update (conv1d.cuh,
// 5376 channels, K 4), with the executor's launch geometry
// (ssdc/decode_launch.h), at batch 1 and 16. Each kernel is timed as a CUDA
// graph of 64 back-to-back launches (as a decode step's graph runs them),
// median of 20 replays, next to a device-to-device copy of the state's bytes
// (the bandwidth a kernel of that size can reach). Prints one line per
// (kernel, batch): µs per launch, bytes moved, GB/s.
//
// Build (GPU machine): nvcc -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a
//   -Icodegen/cuda/templates -Icodegen/cuda/include [-DSSDC_RECURRENT_ROWS_PER_THREAD=R]
//   tools/gpu_bench/decode_kernels.cu -o decode_kernels
#include "conv1d.cuh"
#include "rmsnorm.cuh"
#include "ssm_recurrent.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace ssdc::cuda;
using bf16 = __nv_bfloat16;

__global__ void recurrentG(SsmParams p) { ssmRecurrentKernel<bf16, bf16, bf16, bf16>(p); }
__global__ void gatedNormG(RmsnormParams p) { rmsnormKernel<bf16, float, bf16, bf16>(p); }
__global__ void preNormG(RmsnormParams p) { rmsnormKernel<float, float, float, bf16>(p); }
__global__ void convG(Conv1dParams p) { conv1dKernel<bf16, bf16, bf16>(p); }

static void check(cudaError_t e, const char *what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

static void *dev(size_t bytes, float value, bool isBf16) {
  void *p = nullptr;
  check(cudaMalloc(&p, bytes), "cudaMalloc");
  size_t n = bytes / (isBf16 ? 2 : 4);
  if (isBf16) {
    std::vector<bf16> h(n, bf16(value));
    check(cudaMemcpy(p, h.data(), bytes, cudaMemcpyHostToDevice), "upload");
  } else {
    std::vector<float> h(n, value);
    check(cudaMemcpy(p, h.data(), bytes, cudaMemcpyHostToDevice), "upload");
  }
  return p;
}

/// µs per launch: a graph of 64 launches of `launch`, median of 20 replays.
static double timeGraph(const std::function<void(cudaStream_t)> &launch) {
  cudaStream_t s;
  check(cudaStreamCreate(&s), "stream");
  for (int i = 0; i < 5; ++i)
    launch(s);
  check(cudaStreamSynchronize(s), "warm-up");
  check(cudaGetLastError(), "warm-up launch");
  cudaGraph_t g;
  cudaGraphExec_t ge;
  check(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), "capture");
  for (int i = 0; i < 64; ++i)
    launch(s);
  check(cudaStreamEndCapture(s, &g), "end capture");
  check(cudaGraphInstantiate(&ge, g, 0), "instantiate");
  cudaEvent_t a, b;
  check(cudaEventCreate(&a), "event");
  check(cudaEventCreate(&b), "event");
  std::vector<double> us;
  for (int r = 0; r < 22; ++r) {
    check(cudaEventRecord(a, s), "record");
    check(cudaGraphLaunch(ge, s), "graph launch");
    check(cudaEventRecord(b, s), "record");
    check(cudaEventSynchronize(b), "sync");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, a, b), "elapsed");
    if (r >= 2)
      us.push_back(ms * 1e3 / 64);
  }
  std::sort(us.begin(), us.end());
  cudaGraphExecDestroy(ge);
  cudaGraphDestroy(g);
  cudaStreamDestroy(s);
  return us[us.size() / 2];
}

static void line(const char *what, int b, double us, double bytes) {
  std::printf("%-34s b=%-3d %8.2f us  %9.2f MB  %7.0f GB/s\n", what, b, us, bytes / 1e6,
              bytes / (us * 1e-6) / 1e9);
}

int main() {
  const int H = 80, P = 64, N = 128, G = 1, DI = 5120, DM = 2560, CONV = DI + 2 * G * N, K = 4;
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, 0), "properties");
  std::printf("device %s; ssm_recurrent rows per thread %d\n", prop.name,
              kSsmRecurrentRowsPerThread);
  for (int b : {1, 16}) {
    size_t state = size_t(b) * H * P * N * 4;
    // SSM state update, L = 1 (a decode step's launch: state in, state out).
    SsmParams p{};
    p.x = dev(size_t(b) * H * P * 2, 0.5f, true);
    p.dt = dev(size_t(b) * H * 2, 0.1f, true);
    p.A = static_cast<const float *>(dev(H * 4, -1.0f, false));
    p.B = dev(size_t(b) * G * N * 2, 0.25f, true);
    p.C = dev(size_t(b) * G * N * 2, 0.25f, true);
    p.D = static_cast<const float *>(dev(H * 4, 1.0f, false));
    p.dtBias = static_cast<const float *>(dev(H * 4, 0.0f, false));
    p.initState = static_cast<const float *>(dev(state, 0.01f, false));
    p.y = dev(size_t(b) * H * P * 2, 0.0f, true);
    p.finalState = static_cast<float *>(dev(state, 0.0f, false));
    p.batch = b;
    p.len = 1;
    p.heads = H;
    p.headdim = P;
    p.groups = G;
    p.dstate = N;
    p.dtSoftplus = 1;
    p.dtMin = 0.0f;
    p.dtMax = INFINITY;
    DecodeLaunch g = ssmRecurrentLaunch(b, H, P, N);
    double us = timeGraph([&](cudaStream_t s) { recurrentG<<<g.grid, g.block, g.smemBytes, s>>>(p); });
    char what[96];
    std::snprintf(what, sizeof what, "ssm_recurrent (grid %u x %u)", g.grid, g.block);
    line(what, b, us, 2.0 * state + size_t(b) * H * P * 4);
    // The state's bytes copied device to device (read + write).
    us = timeGraph([&](cudaStream_t s) {
      check(cudaMemcpyAsync(p.finalState, p.initState, state, cudaMemcpyDeviceToDevice, s), "copy");
    });
    line("  copy of the state (D2D)", b, us, 2.0 * state);
    // Gated RMSNorm over d_inner (one group), and the f32-residual pre-norm.
    RmsnormParams n{dev(size_t(b) * DI * 2, 0.5f, true), dev(size_t(b) * DI * 2, 0.5f, true),
                    dev(DI * 4, 1.0f, false), dev(size_t(b) * DI * 2, 0.0f, true), b, DI, DI,
                    1e-5f, 0};
    DecodeLaunch gn = rmsnormLaunch(b, DI, DI);
    us = timeGraph([&](cudaStream_t s) { gatedNormG<<<gn.grid, gn.block, gn.smemBytes, s>>>(n); });
    std::snprintf(what, sizeof what, "rmsnorm gated 5120 (%u x %u)", gn.grid, gn.block);
    line(what, b, us, size_t(b) * DI * 6.0 + DI * 4);
    RmsnormParams m{dev(size_t(b) * DM * 4, 0.5f, false), nullptr, dev(DM * 4, 1.0f, false),
                    dev(size_t(b) * DM * 2, 0.0f, true), b, DM, DM, 1e-5f, 0};
    DecodeLaunch gm = rmsnormLaunch(b, DM, DM);
    us = timeGraph([&](cudaStream_t s) { preNormG<<<gm.grid, gm.block, gm.smemBytes, s>>>(m); });
    std::snprintf(what, sizeof what, "rmsnorm pre-norm 2560 (%u x %u)", gm.grid, gm.block);
    line(what, b, us, size_t(b) * DM * 6.0 + DM * 4);
    // Conv update: one token, state in and out.
    Conv1dParams c{dev(size_t(b) * CONV * 2, 0.5f, true), dev(size_t(CONV) * K * 2, 0.25f, true),
                   dev(CONV * 2, 0.0f, true),
                   static_cast<const float *>(dev(size_t(b) * CONV * K * 4, 0.1f, false)),
                   dev(size_t(b) * CONV * 2, 0.0f, true),
                   static_cast<float *>(dev(size_t(b) * CONV * K * 4, 0.0f, false)), b, 1, CONV,
                   K, 1};
    DecodeLaunch gc = conv1dLaunch(b, 1, CONV);
    us = timeGraph([&](cudaStream_t s) { convG<<<gc.grid, gc.block, gc.smemBytes, s>>>(c); });
    std::snprintf(what, sizeof what, "conv1d 5376 K4 (%u x %u)", gc.grid, gc.block);
    line(what, b, us, size_t(b) * CONV * (2 + 2 + 32.0) + CONV * 10.0);
    // Empty-kernel floor of a graph launch.
    us = timeGraph([&](cudaStream_t s) { convG<<<1, 32, 0, s>>>(Conv1dParams{}); });
    line("  empty launch (conv, 0 channels)", b, us, 0);
  }
  check(cudaDeviceSynchronize(), "end");
  return 0;
}
