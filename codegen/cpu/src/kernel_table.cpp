// The exported kernel table of libkernels.so (see cpu_kernel_table.h).
#include "ssdc/cpu_kernel_table.h"

#ifndef SSDC_HALIDE_TARGET_NAME
#define SSDC_HALIDE_TARGET_NAME "host"
#endif

extern "C" __attribute__((visibility("default"))) const ssdc::cpu::KernelTable *
ssdc_cpu_kernel_table() {
  using namespace ssdc::cpu;
  static const KernelTable table = {
      kKernelTableAbi, sizeof(KernelTable), SSDC_HALIDE_TARGET_NAME,
      &ssdRecurrent,   &ssdQuadratic,       &ssdChunked,
      &ssdDecodeStep,  &conv1d,             &conv1dStep,
      &rmsnormGated,   &rmsnormResidual,    &silu,
      &softplus,       &embedding,          &attention};
  return &table;
}
