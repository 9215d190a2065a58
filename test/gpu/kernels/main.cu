// ssdc-gpu-kernel-check: the CUDA device templates of codegen/cuda/templates,
// instantiated as the emitter instantiates them (f32, and the bf16 storage
// types of a --dtype bf16 plan), launched with the CUDA executor's launch
// configurations on fresh seeded random inputs with NaN-poisoned outputs, and
// compared with the float64 reference (runtime/reference). Tolerances: 1e-5
// relative for f32 kernels, 1e-2 where an operand is bf16 (issue 6).
//
// usage: ssdc-gpu-kernel-check [--seed S] [--quick] [--only SUBSTRING]
//   --quick   small shapes only (for compute-sanitizer; tools/gpu_sanitize.sh)
//   --only    the cases whose name contains SUBSTRING ("conv1d", "rmsnorm",
//             "embedding", "elementwise", or an SSD case name such as "L4096")
// Prints one line per comparison and a summary; exit status 1 when any
// comparison is above its tolerance. ctest label gpu (test/gpu/kernels).
#include "check.h"

#include <chrono>

namespace kcheck {

Options &options() {
  static Options o;
  return o;
}

namespace {
int failed = 0, compared = 0;
std::map<std::string, double> worstErr;
}

void report(const std::string &kernel, const std::string &shape, const std::string &what,
            double err, double tol) {
  ++compared;
  bool ok = err <= tol;  // NaN and +inf fail
  if (!ok)
    ++failed;
  std::printf("%-4s %-26s %-62s %-20s %.2e  (tol %.0e)\n", ok ? "OK" : "FAIL", kernel.c_str(),
              shape.c_str(), what.c_str(), err, tol);
  std::fflush(stdout);
  double &w = worstErr[kernel];
  if (!(err <= w))
    w = err;
}

void note(const std::string &kernel, const std::string &shape, const std::string &what,
          double err) {
  std::printf("%-4s %-26s %-62s %-20s %.2e\n", "INFO", kernel.c_str(), shape.c_str(),
              what.c_str(), err);
  std::fflush(stdout);
}

int failures() { return failed; }
int comparisons() { return compared; }

} // namespace kcheck

int main(int argc, char **argv) {
  using namespace kcheck;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      options().seed = unsigned(std::stoul(argv[++i]));
    else if (a == "--quick")
      options().quick = true;
    else if (a == "--only" && i + 1 < argc)
      options().only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--seed S] [--quick] [--only SUBSTRING]\n", argv[0]);
      return 2;
    }
  }
#ifdef SSDC_KERNEL_CHECK_HOST_EMU
  std::printf("device: host emulation (not a GPU result)\n");
#else
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount (is there an NVIDIA GPU?)");
  if (count < 1)
    die("no CUDA device");
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  std::printf("device: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
#endif
  std::printf("seed: %u%s%s%s\n", options().seed, options().quick ? "  (--quick)" : "",
              options().only.empty() ? "" : "  --only ", options().only.c_str());
  auto t0 = std::chrono::steady_clock::now();
  runSsdChecks();
  runOpChecks();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nworst relative error per kernel:\n");
  for (auto &kv : worstErr)
    std::printf("  %-26s %.2e\n", kv.first.c_str(), kv.second);
  std::printf("\n%d comparisons, %d failed (%.1f s)\n", comparisons(), failures(), s);
  if (comparisons() == 0) {
    std::printf("no case selected\n");
    return 1;
  }
  return failures() ? 1 : 0;
}
