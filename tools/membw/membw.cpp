// membw: this machine's memory read bandwidth, the floor for CPU decode (which
// streams every weight once per token). Reads a buffer much larger than the
// caches with all hardware threads and reports the best of several passes.
//
//   membw [MiB]     (default 1024)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1024;
  size_t n = mib * 1024 * 1024 / sizeof(float);
  std::vector<float> data(n, 1.0f);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  double best = 0;
  volatile float sink = 0;
  for (int pass = 0; pass < 7; ++pass) {
    std::vector<float> partial(threads, 0.0f);
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        size_t lo = n * t / threads, hi = n * (t + 1) / threads;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = lo; i + 4 <= hi; i += 4) {
          s0 += data[i];
          s1 += data[i + 1];
          s2 += data[i + 2];
          s3 += data[i + 3];
        }
        partial[t] = s0 + s1 + s2 + s3;
      });
    for (std::thread &th : pool)
      th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, n * sizeof(float) / s / 1e9);
    for (float p : partial)
      sink = sink + p;
  }
  std::printf("read bandwidth: %.2f GB/s (%u threads, %zu MiB, best of 7)\n", best,
              threads, mib);
  return 0;
}
