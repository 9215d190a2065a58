// Loading an artifact's CUDA kernels, with NVRTC as the fallback: when
// kernels.fatbin is missing or holds no code the GPU can run (an artifact
// built for sm_90a on another GPU, or compiled where there was no nvcc), the
// runtime compiles the artifact's kernels.cu (self-contained: the emitter
// inlines the templates) with NVRTC for the device's compute capability,
// caches the binary outside the artifact ($XDG_CACHE_HOME/ssdc/nvrtc, else
// ~/.cache/ssdc/nvrtc; keyed by a hash of source, architecture, options and
// NVRTC version), loads it, and says so on stderr. $SSDC_NVRTC=force takes
// the NVRTC path even when the fatbin loads; =off turns the fallback off.
//
// The driver API is reached through cudaGetDriverEntryPointByVersion, as in
// CudaExecutor.cpp: nothing links libcuda.
#ifndef SSDC_RUNTIME_CUDA_NVRTC_H
#define SSDC_RUNTIME_CUDA_NVRTC_H

#include <cuda.h>

#include <string>
#include <vector>

namespace ssdc::rt {

/// The driver API calls the NVRTC loader and the attention launcher use.
struct DriverCalls {
#define SSDC_DRIVER_CALL(name) decltype(&::name) name = nullptr;
  SSDC_DRIVER_CALL(cuGetErrorName)
  SSDC_DRIVER_CALL(cuGetErrorString)
  SSDC_DRIVER_CALL(cuModuleLoadData)
  SSDC_DRIVER_CALL(cuModuleGetFunction)
  SSDC_DRIVER_CALL(cuFuncSetAttribute)
  SSDC_DRIVER_CALL(cuLaunchKernel)
  SSDC_DRIVER_CALL(cuFuncGetAttribute)                           // ssdc tune --device cuda:
  SSDC_DRIVER_CALL(cuOccupancyMaxActiveBlocksPerMultiprocessor)  // what fits, per variant
  SSDC_DRIVER_CALL(cuModuleUnload)
#undef SSDC_DRIVER_CALL
};
const DriverCalls &driverCalls();

/// Throws a RuntimeError naming `what` unless `e` is CUDA_SUCCESS.
void checkDriver(CUresult e, const std::string &what);

/// The artifact's kernels on the current device: `fatbinPath` loaded with
/// cuModuleLoadData, or, where that file is missing or has no code for this
/// GPU, `sourcePath` (default: kernels.cu beside the fatbin) compiled with
/// NVRTC (cached) for the device's architecture-specific target where there
/// is one (sm_90a on compute capability 9.0, as nvcc builds the fatbin).
/// Throws with the reason (and NVRTC's log) on failure. NVRTC builds use
/// --device-as-default-execution-space (the launch headers' unannotated
/// host helpers) and stand-ins for <cstddef>, <cstdint>, <type_traits>.
CUmodule loadKernelModule(const std::string &fatbinPath, const std::string &sourcePath = "");

/// CUDA C++ `source` compiled with NVRTC for the current device (through the
/// cache) and loaded; `what` names it in messages. `note` receives a line
/// saying what was done (compiled, or taken from the cache).
CUmodule loadModuleFromSource(const std::string &source, const std::string &what,
                              std::string *note = nullptr);

/// As loadModuleFromSource, but for the architecture-specific target of the
/// device where NVRTC has one (sm_90a on compute capability 9.0: the
/// templates' wgmma paths, as nvcc builds kernels.fatbin; `ssdc tune`).
/// `arch` (may be null) gets the target's name.
/// `extra` NVRTC options go into the compilation and the cache key.
CUmodule loadModuleFromSourceArchSpecific(const std::string &source, const std::string &what,
                                          std::string *note = nullptr,
                                          std::string *arch = nullptr,
                                          const std::vector<std::string> &extra = {});

/// The NVRTC version, "12.8".
std::string nvrtcVersionText();

/// `source` compiled with NVRTC for `arch` ("sm_90": a cubin; "compute_90":
/// PTX), with the options the loader uses (C++17, the CUDA include
/// directories); throws with NVRTC's log. Needs no GPU.
std::string nvrtcCompile(const std::string &source, const std::string &arch,
                         const std::string &what,
                         const std::vector<std::string> &extra = {});

/// Where NVRTC builds are cached: $XDG_CACHE_HOME/ssdc/nvrtc, else
/// $HOME/.cache/ssdc/nvrtc ("" when neither variable is set).
std::string nvrtcCacheDir();

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_NVRTC_H
