// The CUDA emitter: plan.json → kernels.cu (one `extern "C" __global__` per
// distinct kernel instance of the plan, in a deterministic order) → nvcc →
// kernels.fatbin. Plain C++ (no MLIR): the compiler calls it after the plan.
#ifndef SSDC_CODEGEN_CUDA_CUDAEMITTER_H
#define SSDC_CODEGEN_CUDA_CUDAEMITTER_H

#include <string>
#include <vector>

namespace ssdc::cuda {

struct EmittedKernels {
  std::string source;                ///< kernels.cu
  std::vector<std::string> kernels;  ///< the kernel names, sorted
  std::vector<std::string> unsupported; ///< "op (layer)" with no CUDA kernel
};

/// Emits kernels.cu for `planJson` (the text of plan.json): self-contained
/// (templates and cuda_params.h inlined; no host headers under NVRTC), so
/// the runtime can compile it with NVRTC where kernels.fatbin has no code
/// for the GPU. ssd.attention gives two kernels per launch (cache append,
/// attention) instantiated on q's and v's head dims.
EmittedKernels emitKernels(const std::string &planJson);

/// The directory of the device templates (inlined into kernels.cu; with
/// ../include/ssdc/cuda_params.h). $SSDC_CUDA_TEMPLATES overrides it.
std::string templateDir();

/// nvcc's path ($SSDC_NVCC, else the one found at build time, else "nvcc" on
/// PATH), or "" when there is none.
std::string findNvcc();

/// Compiles `source` with `nvcc` for sm_90a into a fatbin at `fatbinPath`.
/// Returns "" on success, else nvcc's messages. Results are cached under
/// $TMPDIR/ssdc-nvcc-cache by a hash of the source and flags.
std::string compileFatbin(const std::string &nvcc, const std::string &source,
                          const std::string &fatbinPath);

/// The nvcc flags used (recorded in the manifest).
std::string nvccFlags();

/// SSDC_CUDA_TEMPLATE_ABI of this build (cmake/CudaTemplateAbi.cmake): which
/// device templates and launch headers the emitted kernels come from. The
/// manifest records it; the CUDA runtime refuses a different one.
std::string templateAbi();

} // namespace ssdc::cuda

#endif // SSDC_CODEGEN_CUDA_CUDAEMITTER_H
