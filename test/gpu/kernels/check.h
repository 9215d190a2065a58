// The harness of ssdc-gpu-kernel-check (see main.cu): device buffers, seeded
// random inputs, NaN poisoning, launches with the CUDA executor's launch
// configurations, the float64 comparison and the result table.
//
// The launch configurations are those of runtime/cuda/CudaExecutor.cpp
// (Run::launch1d and runLaunch). Shared headers give most of them, as they do
// the executor: ssdc/decode_launch.h for rmsnorm, conv1d and the SSD
// recurrent kernel; ssdc/ssd_staged_launch.h for the quadratic and staged
// chunked SSD kernels (ssd_check.cu, launchTiled). Copied here: 1-D grid-stride kernels get
// min(ceil(work / 256), 65535) blocks of 256 threads (Run::launch1d); launch()
// raises the shared-memory limit above 48 KiB. Keep them in step with that
// file.
//
// Built with SSDC_KERNEL_CHECK_HOST_EMU (g++ -x c++, no GPU; a development aid,
// see docs/gpu_kernels_check.md) every launch runs serially on the host with
// one thread per block, so the harness itself can be checked without a GPU.
#ifndef SSDC_GPU_KERNEL_CHECK_H
#define SSDC_GPU_KERNEL_CHECK_H

#ifdef SSDC_KERNEL_CHECK_HOST_EMU
#include "host_emu.h"
#endif

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "ssdc/decode_launch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace kcheck {

using bf16 = __nv_bfloat16;

// ---- options and results -------------------------------------------------

struct Options {
  unsigned seed = 20261124;
  bool quick = false;  // small shapes only (compute-sanitizer runs)
  std::string only;    // run the cases whose name contains this
};
Options &options();

/// Records one comparison, prints it, remembers failures.
void report(const std::string &kernel, const std::string &shape, const std::string &what,
            double err, double tol);
/// Prints a figure that is not compared with a tolerance.
void note(const std::string &kernel, const std::string &shape, const std::string &what,
          double err);
int failures();
int comparisons();

inline bool selected(const std::string &name) {
  return options().only.empty() || name.find(options().only) != std::string::npos;
}

template <typename T> constexpr const char *typeName();
template <> constexpr const char *typeName<float>() { return "f32"; }
template <> constexpr const char *typeName<bf16>() { return "bf16"; }
/// fp32 kernels: 1e-5; any bf16 operand: 1e-2 (issue 6).
template <typename T> constexpr double tolFor() { return 1e-2; }
template <> constexpr double tolFor<float>() { return 1e-5; }

// ---- device access (CUDA, or the host emulation) ---------------------------

[[noreturn]] inline void die(const std::string &what) {
  std::fprintf(stderr, "FATAL: %s\n", what.c_str());
  std::exit(2);
}

inline void check(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    die("CUDA error in " + what + ": " + cudaGetErrorName(e) + " (" +
        cudaGetErrorString(e) + ")");
}

/// Device allocations of one case, freed at its end. Every allocation is
/// poisoned with all-ones bytes (NaN in f32 and bf16), as the executor does.
class Arena {
public:
  Arena() = default;
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;
  ~Arena() {
    for (void *p : ptrs) {
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
      std::free(p);
#else
      cudaFree(p);
#endif
    }
  }

  void *raw(size_t bytes, const std::string &what) {
    bytes = std::max<size_t>(bytes, 4);
    void *p = nullptr;
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
    (void)what;
    p = std::malloc(bytes);
    if (!p)
      die("malloc for " + what);
    std::memset(p, 0xff, bytes);
#else
    check(cudaMalloc(&p, bytes), "cudaMalloc(" + std::to_string(bytes) + ") for " + what);
    check(cudaMemset(p, 0xff, bytes), "poisoning " + what);
#endif
    ptrs.push_back(p);
    return p;
  }

  /// An output buffer of n elements of T, poisoned.
  template <typename T> T *out(size_t n, const std::string &what) {
    return static_cast<T *>(raw(n * sizeof(T), what));
  }

  /// Host values (already representable in T) uploaded as T.
  template <typename T> T *in(const std::vector<float> &v, const std::string &what) {
    std::vector<T> host(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      host[i] = T(v[i]);
    T *d = out<T>(v.size(), what);
    copyIn(d, host.data(), v.size() * sizeof(T), what);
    return d;
  }
  template <typename T> T *inRaw(const std::vector<T> &host, const std::string &what) {
    T *d = out<T>(host.size(), what);
    copyIn(d, host.data(), host.size() * sizeof(T), what);
    return d;
  }

  static void copyIn(void *d, const void *h, size_t bytes, const std::string &what) {
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
    (void)what;
    std::memcpy(d, h, bytes);
#else
    check(cudaMemcpy(d, h, bytes, cudaMemcpyHostToDevice), "uploading " + what);
#endif
  }

  /// n elements of T from the device, widened to double (NaN stays NaN).
  template <typename T> static std::vector<double> fetch(const T *d, size_t n,
                                                         const std::string &what) {
    std::vector<T> host(n);
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
    (void)what;
    std::memcpy(host.data(), d, n * sizeof(T));
#else
    check(cudaMemcpy(host.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost),
          "downloading " + what);
#endif
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = double(float(host[i]));
    return v;
  }

private:
  std::vector<void *> ptrs;
};

/// Launches kernel `k` on grid x block threads with `smem` bytes of dynamic
/// shared memory, waits for it and checks every step (the executor's launch:
/// the attribute when smem > 48 KiB, then the launch, then a synchronise).
template <typename P>
void launch(void (*k)(P), unsigned grid, unsigned block, size_t smem, const P &p,
            const std::string &what) {
  if (grid == 0)
    return;  // the executor skips empty launches too
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
  (void)block;
  (void)what;
  emu::run(k, grid, smem, p);
#else
  if (smem > 48 * 1024)
    check(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(smem)),
          "raising the shared-memory limit of " + what);
  k<<<grid, block, smem>>>(p);
  check(cudaGetLastError(), "launching " + what);
  check(cudaDeviceSynchronize(), "running " + what);
#endif
}

/// CudaExecutor.cpp Run::launch1d: min(ceil(work / 256), 65535) blocks of 256.
template <typename P>
void launch1d(void (*k)(P), int64_t work, const P &p, const std::string &what) {
  int64_t blocks = std::min<int64_t>((work + 255) / 256, 65535);
  launch(k, static_cast<unsigned>(blocks), 256, 0, p, what);
}

// ---- data -------------------------------------------------------------------

inline std::vector<float> uniform(std::mt19937 &rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

/// The values a T buffer holds for v (round to nearest even), back in float.
template <typename T> std::vector<float> representable(std::vector<float> v) {
  for (float &x : v)
    x = float(T(x));
  return v;
}

inline std::vector<double> wide(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

/// CudaExecutor.cpp broadcastStrides: per output dimension, 0 where broadcast.
inline std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                             size_t rank) {
  std::vector<int64_t> s(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t dim = shape.size() - 1 - i, at = rank - 1 - i;
    s[at] = shape[dim] == 1 ? 0 : stride;
    stride *= shape[dim];
  }
  return s;
}

// ---- errors -----------------------------------------------------------------

/// max over slices of max|a − e| / max|e| within the slice; +inf when `a`
/// holds a NaN or Inf (a poisoned element nobody wrote) or sizes differ.
inline double relErrSliced(const std::vector<double> &a, const std::vector<double> &e,
                           const std::function<int64_t(size_t)> &sliceOf) {
  if (a.size() != e.size())
    return std::numeric_limits<double>::infinity();
  std::map<int64_t, std::pair<double, double>> acc;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]))
      return std::numeric_limits<double>::infinity();
    auto &s = acc[sliceOf(i)];
    s.first = std::max(s.first, std::fabs(a[i] - e[i]));
    s.second = std::max(s.second, std::fabs(e[i]));
  }
  double worst = 0;
  for (auto &kv : acc)
    worst = std::max(worst, kv.second.first / (kv.second.second > 0 ? kv.second.second
                                                                     : 1e-300));
  return worst;
}

/// max|a − e| / max|e| over the whole tensor.
inline double relErr(const std::vector<double> &a, const std::vector<double> &e) {
  return relErrSliced(a, e, [](size_t) { return int64_t(0); });
}

// ---- suites ---------------------------------------------------------------------

void runSsdChecks();
void runOpChecks();

} // namespace kcheck

#endif // SSDC_GPU_KERNEL_CHECK_H
