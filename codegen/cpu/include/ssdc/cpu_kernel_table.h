// The CPU kernels as the runtime reaches them: a table of function pointers
// exported (as the only public symbol) by libkernels.so, the shared library
// `ssdc compile --target cpu` puts into the artifact. The runtime dlopens it
// and checks the ABI version before using any entry; nothing of Halide is
// linked into the runtime itself.
#ifndef SSDC_CPU_KERNEL_TABLE_H
#define SSDC_CPU_KERNEL_TABLE_H

#include "ssdc/cpu_kernels.h"

#include <cstdint>

namespace ssdc {
namespace cpu {

/// Bumped whenever a signature in cpu_kernels.h or this table changes.
constexpr uint32_t kKernelTableAbi = 1;

struct KernelTable {
  uint32_t abi;
  uint32_t size;  ///< sizeof(KernelTable) of the library
  const char *halideTarget;
  decltype(&cpu::ssdRecurrent) ssdRecurrent;
  decltype(&cpu::ssdQuadratic) ssdQuadratic;
  decltype(&cpu::ssdChunked) ssdChunked;
  decltype(&cpu::ssdDecodeStep) ssdDecodeStep;
  decltype(&cpu::conv1d) conv1d;
  decltype(&cpu::conv1dStep) conv1dStep;
  decltype(&cpu::rmsnormGated) rmsnormGated;
  decltype(&cpu::rmsnormResidual) rmsnormResidual;
  decltype(&cpu::silu) silu;
  decltype(&cpu::softplus) softplus;
  decltype(&cpu::embedding) embedding;
  decltype(&cpu::attention) attention;
};

} // namespace cpu
} // namespace ssdc

/// The one exported symbol of libkernels.so.
extern "C" const ssdc::cpu::KernelTable *ssdc_cpu_kernel_table();
constexpr const char *kSsdcCpuKernelTableSymbol = "ssdc_cpu_kernel_table";

#endif // SSDC_CPU_KERNEL_TABLE_H
