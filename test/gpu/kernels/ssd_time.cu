// ssd_time: GPU time of each SSD schedule's kernels alone at one layer's
// shape (default mamba2-130m: H 24, P 64, G 1, N 128, batch 1), for the CUDA
// cost model's calibration (docs/perf/gpu_short.md). Not a correctness
// check (ssdc-gpu-kernel-check is); inputs are random, outputs unchecked.
// Each figure: 5 warm-up launches, then the mean over 50 back-to-back
// launches timed with CUDA events (the launch gap of a stream included, as
// in an eager prefill). The staged chunked schedule is timed kernel by
// kernel as a plan runs it (chunk_cumsum, x·dt' mul, chunk_state,
// state_pass, chunk_output) and summed.
//
// Build: the ssdc-ssd-time target (bin/ssdc-ssd-time), or on the GPU machine without CMake:
//   nvcc -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a \
//     -Icodegen/cuda/templates -Icodegen/cuda/include test/gpu/kernels/ssd_time.cu -o ssd_time
// Usage: ssd_time [--heads H] [--lens 16,64,256,512] [--json FILE]
#include "chunk_cumsum.cuh"
#include "chunk_output.cuh"
#include "chunk_state.cuh"
#include "elementwise.cuh"
#include "ssd_fused.cuh"
#include "ssm_quadratic.cuh"
#include "ssm_recurrent.cuh"
#include "state_pass.cuh"

#include "ssdc/ssd_fused_launch.h"
#include "ssdc/ssd_staged_launch.h"
#if __has_include("ssdc/decode_launch.h")
#include "ssdc/decode_launch.h"
#define SSD_TIME_DECODE_LAUNCH 1
#endif

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

using namespace ssdc::cuda;
using bf16 = __nv_bfloat16;

namespace {

void check(cudaError_t e, const char *what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "FATAL: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(2);
  }
}

template <typename T> __global__ void quadG(SsmParams p) { ssmQuadraticKernel<T, T, T, T>(p); }
template <typename T> __global__ void recG(SsmParams p) { ssmRecurrentKernel<T, T, T, T>(p); }
template <int Q, typename T> __global__ void fusedG(SsmParams p) {
  ssmChunkedFusedKernel<Q, 64, 128, T, T, T, T>(p);
}
template <int Q, typename T> __global__ void cumsumG(ChunkCumsumParams p) {
  chunkCumsumKernel<Q, T>(p);
}
template <int Q, typename T> __global__ void stateG(ChunkStateParams p) {
  chunkStateKernel<Q, T, T>(p);
}
template <int Q> __global__ void passG(StatePassParams p) { statePassKernel<Q>(p); }
template <int Q, typename T> __global__ void outputG(ChunkOutputParams p) {
  chunkOutputKernel<Q, T, T, T, T>(p);
}
template <typename T> __global__ void mulG(BinaryParams p) { binaryKernel<true, T, T, T>(p); }

template <typename P> void setSmem(void (*k)(P), int64_t smem) {
  if (smem > 48 * 1024)
    check(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)),
          "smem attribute");
}

/// Mean µs per launch of `run` (which launches one or more kernels).
double timeUs(const std::function<void()> &run) {
  for (int i = 0; i < 5; ++i)
    run();
  check(cudaDeviceSynchronize(), "warm-up");
  cudaEvent_t a, b;
  check(cudaEventCreate(&a), "event");
  check(cudaEventCreate(&b), "event");
  const int n = 50;
  check(cudaEventRecord(a), "record");
  for (int i = 0; i < n; ++i)
    run();
  check(cudaEventRecord(b), "record");
  check(cudaEventSynchronize(b), "sync");
  check(cudaGetLastError(), "launches");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, a, b), "elapsed");
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return ms * 1000.0 / n;
}

template <typename T> T *devRandom(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<T> h(n);
  for (auto &v : h)
    v = T(d(rng));
  T *p = nullptr;
  check(cudaMalloc(&p, n * sizeof(T) + 16), "malloc");
  check(cudaMemcpy(p, h.data(), n * sizeof(T), cudaMemcpyHostToDevice), "upload");
  return p;
}
template <typename T> T *devBuf(size_t n) {
  T *p = nullptr;
  check(cudaMalloc(&p, n * sizeof(T) + 16), "malloc");
  return p;
}

struct Row {
  std::string dtype, schedule;
  int64_t l;
  double us;
  std::string parts;
};
std::vector<Row> rows;

void add(const std::string &dt, const std::string &sched, int64_t l, double us,
         const std::string &parts = "") {
  rows.push_back({dt, sched, l, us, parts});
  std::printf("%-5s L=%-5lld %-14s %10.2f us  %s\n", dt.c_str(), (long long)l, sched.c_str(), us,
              parts.c_str());
  std::fflush(stdout);
}

template <int Q, typename T>
void timeStaged(const std::string &dt, const SsmParams &sp, float *dtOut, float *cum, T *v,
                float *states, float *prev, T *y) {
  const int64_t B = sp.batch, L = sp.len, H = sp.heads, P = sp.headdim, G = sp.groups,
                N = sp.dstate;
  ChunkCumsumParams cp{sp.dt, sp.A, sp.dtBias, dtOut, cum, B, L, H, 1, -INFINITY, INFINITY};
  BinaryParams mp{};
  mp.a = sp.x;
  mp.b = sp.dt;  // stands in for dt' (same type and shape)
  mp.y = v;
  mp.n = B * L * H * P;
  mp.rank = 4;
  int64_t shp[4] = {B, L, H, P};
  int64_t as[4] = {L * H * P, H * P, P, 1}, bs[4] = {L * H, H, 1, 0};
  for (int i = 0; i < 4; ++i)
    mp.shape[i] = shp[i], mp.aStride[i] = as[i], mp.bStride[i] = bs[i];
  ChunkStateParams stp{sp.B, v, cum, states, B, L, H, P, G, N};
  StatePassParams pp{states, cum, nullptr, prev, sp.finalState, B, L, H, P, N};
  ChunkOutputParams op{sp.C, sp.B, v, cum, prev, sp.x, sp.D, y, B, L, H, P, G, N};
  SsdTileLaunch g1 = chunkCumsumLaunch(Q, B, L, H), g3 = chunkStateLaunch(Q, B, L, H, P, N),
                g4 = statePassLaunch(B, H, P, N), g5 = chunkOutputLaunch(Q, B, L, H, P, N);
  for (auto *g : {&g1, &g3, &g4, &g5})
    if (g->error) {
      std::printf("staged Q=%d L=%lld: %s\n", Q, (long long)L, g->error);
      return;
    }
  setSmem(cumsumG<Q, T>, g1.smemBytes);
  setSmem(stateG<Q, T>, g3.smemBytes);
  setSmem(outputG<Q, T>, g5.smemBytes);
  unsigned mb = unsigned(std::min<int64_t>((mp.n + 255) / 256, 65535));
  double t1 = timeUs([&] { cumsumG<Q, T><<<g1.grid, g1.block, g1.smemBytes>>>(cp); });
  double t2 = timeUs([&] { mulG<T><<<mb, 256>>>(mp); });
  double t3 = timeUs([&] { stateG<Q, T><<<g3.grid, g3.block, g3.smemBytes>>>(stp); });
  double t4 = timeUs([&] { passG<Q><<<g4.grid, g4.block>>>(pp); });
  double t5 = timeUs([&] { outputG<Q, T><<<g5.grid, g5.block, g5.smemBytes>>>(op); });
  double all = timeUs([&] {
    cumsumG<Q, T><<<g1.grid, g1.block, g1.smemBytes>>>(cp);
    mulG<T><<<mb, 256>>>(mp);
    stateG<Q, T><<<g3.grid, g3.block, g3.smemBytes>>>(stp);
    passG<Q><<<g4.grid, g4.block>>>(pp);
    outputG<Q, T><<<g5.grid, g5.block, g5.smemBytes>>>(op);
  });
  char parts[200];
  std::snprintf(parts, sizeof parts, "cumsum %.2f mul %.2f state %.2f pass %.2f output %.2f",
                t1, t2, t3, t4, t5);
  add(dt, "chunked-" + std::to_string(Q), L, all, parts);
}

template <typename T> void timeAll(const std::string &dt, int64_t H, int64_t L) {
  const int64_t B = 1, P = 64, G = 1, N = 128;
  SsmParams p{};
  p.x = devRandom<T>(B * L * H * P, -1, 1, 1);
  p.dt = devRandom<T>(B * L * H, -0.6f, 0.5f, 2);
  p.A = devRandom<float>(H, -2.0f, -0.1f, 3);
  p.B = devRandom<T>(B * L * G * N, -1, 1, 4);
  p.C = devRandom<T>(B * L * G * N, -1, 1, 5);
  p.D = devRandom<float>(H, -1, 1, 6);
  p.dtBias = devRandom<float>(H, -0.1f, 0.1f, 7);
  p.initState = nullptr;
  T *y = devBuf<T>(B * L * H * P);
  p.y = y;
  p.finalState = devBuf<float>(B * H * P * N);
  p.batch = B, p.len = L, p.heads = H, p.headdim = P, p.groups = G, p.dstate = N;
  p.dtSoftplus = 1;
  p.dtMin = -INFINITY, p.dtMax = INFINITY;

  SsdTileLaunch q = ssmQuadraticLaunch(B, L, H, P, N);
  if (!q.error) {
    setSmem(quadG<T>, q.smemBytes);
    add(dt, "quadratic", L, timeUs([&] { quadG<T><<<q.grid, q.block, q.smemBytes>>>(p); }));
  } else {
    std::printf("quadratic L=%lld: %s\n", (long long)L, q.error);
  }
#ifdef SSD_TIME_DECODE_LAUNCH
  DecodeLaunch r = ssmRecurrentLaunch(B, H, P, N);
  unsigned rg = r.grid, rb = r.block;
  size_t rs = r.smemBytes;
#else
  unsigned rg = unsigned(B * H), rb = 256;
  size_t rs = (P * (N + 1) + 2 * N) * sizeof(float);
#endif
  setSmem(recG<T>, rs);
  add(dt, "recurrent", L, timeUs([&] { recG<T><<<rg, rb, rs>>>(p); }));

  const int64_t maxChunks = (L + 15) / 16;
  float *dtOut = devBuf<float>(B * L * H), *cum = devBuf<float>(B * L * H);
  T *v = devBuf<T>(B * L * H * P);
  float *states = devBuf<float>(B * maxChunks * H * P * N);
  float *prev = devBuf<float>(B * maxChunks * H * P * N);
  timeStaged<16, T>(dt, p, dtOut, cum, v, states, prev, y);
  timeStaged<64, T>(dt, p, dtOut, cum, v, states, prev, y);
  timeStaged<128, T>(dt, p, dtOut, cum, v, states, prev, y);
  timeStaged<256, T>(dt, p, dtOut, cum, v, states, prev, y);

  bool tc = std::is_same<T, bf16>::value;
  auto fused = [&](auto kernel, int Q) {
    FusedSsdLaunch f = fusedSsdLaunch(Q, int(P), int(N), B, H, L, tc);
    if (f.error) {
      std::printf("fused Q=%d: %s\n", Q, f.error);
      return;
    }
    setSmem(kernel, f.smemBytes);
    add(dt, "fused-" + std::to_string(Q), L,
        timeUs([&] { kernel<<<f.grid, f.block, f.smemBytes>>>(p); }));
  };
  fused(fusedG<64, T>, 64);
  fused(fusedG<128, T>, 128);
  check(cudaDeviceSynchronize(), "end of shape");
  for (void *ptr : {(void *)p.x, (void *)p.dt, (void *)p.A, (void *)p.B, (void *)p.C,
                    (void *)p.D, (void *)p.dtBias, (void *)y, (void *)p.finalState,
                    (void *)dtOut, (void *)cum, (void *)v, (void *)states, (void *)prev})
    cudaFree(ptr);
}

} // namespace

int main(int argc, char **argv) {
  int64_t H = 24;
  std::vector<int64_t> lens = {16, 64, 256, 512, 1024, 2048};
  std::string json;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--heads" && i + 1 < argc)
      H = std::atoll(argv[++i]);
    else if (a == "--json" && i + 1 < argc)
      json = argv[++i];
    else if (a == "--lens" && i + 1 < argc) {
      lens.clear();
      for (char *t = std::strtok(argv[++i], ","); t; t = std::strtok(nullptr, ","))
        lens.push_back(std::atoll(t));
    }
  }
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, 0), "device");
  std::printf("ssd_time on %s: H %lld, P 64, G 1, N 128, batch 1\n", prop.name, (long long)H);
  for (int64_t l : lens) {
    timeAll<bf16>("bf16", H, l);
    timeAll<float>("f32", H, l);
  }
  if (!json.empty()) {
    FILE *f = std::fopen(json.c_str(), "w");
    std::fprintf(f, "{\"device\": \"%s\", \"heads\": %lld, \"rows\": [\n", prop.name,
                 (long long)H);
    for (size_t i = 0; i < rows.size(); ++i)
      std::fprintf(f, "  {\"dtype\": \"%s\", \"schedule\": \"%s\", \"L\": %lld, \"us\": %.3f, "
                      "\"parts\": \"%s\"}%s\n",
                   rows[i].dtype.c_str(), rows[i].schedule.c_str(), (long long)rows[i].l,
                   rows[i].us, rows[i].parts.c_str(), i + 1 < rows.size() ? "," : "");
    std::fprintf(f, "]}\n");
    std::fclose(f);
  }
  return 0;
}
