// Compiles a kernels.cu with NVRTC, as the runtime's fallback does
// (runtime/cuda/Nvrtc.cpp: same options), for an architecture named on the
// command line; needs no GPU. CI uses it to check that an artifact's
// kernels.cu is self-contained.
// usage: ssdc-nvrtc-compile KERNELS.cu ARCH [KERNEL_NAME...]
//   ARCH: sm_90 (cubin) or compute_90 (PTX); each KERNEL_NAME must appear in
//   the output image.
#include "runtime/cuda/Nvrtc.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ssdc-nvrtc-compile KERNELS.cu ARCH [KERNEL_NAME...]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    std::string image = ssdc::rt::nvrtcCompile(ss.str(), argv[2], argv[1]);
    int missing = 0;
    for (int i = 3; i < argc; ++i)
      if (image.find(argv[i]) == std::string::npos) {
        std::fprintf(stderr, "missing kernel %s in the NVRTC output\n", argv[i]);
        ++missing;
      }
    if (missing)
      return 1;
    std::printf("OK NVRTC compiled %s for %s: %zu bytes, %d kernels found\n", argv[1], argv[2],
                image.size(), argc - 3);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
