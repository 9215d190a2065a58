// Launching ssd.attention on the GPU: the cache-append kernel, then the
// attention kernel (codegen/cuda/templates/attention.cuh), on plain device
// pointers, so any executor path (per-call buffers, resident session state,
// graph capture) can call it. The kernels come from the artifact's module
// through `function`; their names from ssdc/cuda_kernels.h, as the emitter
// wrote them.
#ifndef SSDC_RUNTIME_CUDA_LAUNCHATTENTION_H
#define SSDC_RUNTIME_CUDA_LAUNCHATTENTION_H

#include <cuda.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ssdc::rt {

/// One attention call on device pointers. Layouts (row-major):
/// q [b,l,hq,d], k [b,l,hk,d], v [b,l,hk,dv]; pastK [b,s,hk,d] (rotated) and
/// pastV [b,s,hk,dv], null when s = 0; keys [b,s+l,hk,d], values
/// [b,s+l,hk,dv] (written: the next cache); y [b,l,hq,dv] (written).
/// keys/values must not alias pastK/pastV.
struct AttentionCall {
  const void *q = nullptr, *k = nullptr, *v = nullptr;
  const void *pastK = nullptr, *pastV = nullptr;
  void *keys = nullptr, *values = nullptr, *y = nullptr;
  int64_t batch = 1, len = 1, past = 0;
  int64_t qHeads = 1, kvHeads = 1, headdim = 0, vHeaddim = 0;
  int64_t rotaryDim = 0;     ///< 0: no RoPE
  double ropeTheta = 10000.0;
  double scale = 0;          ///< 0: 1/sqrt(headdim)
  std::string qkvDtype = "f32", cacheDtype = "f32", yDtype = "f32";  ///< f32, bf16, f16
};

using KernelLookup = std::function<CUfunction(const std::string &name)>;

/// The two kernel names `c` launches: {cache append, attention}.
std::array<std::string, 2> attentionKernelNames(const AttentionCall &c);

/// Launches the cache append, then the attention, on `stream`. With `sync`
/// each launch is followed by a stream synchronisation, so an error names
/// it. Errors name the kernel and `where`.
void launchAttention(const AttentionCall &c, const KernelLookup &function, CUstream stream,
                     bool sync, const std::string &where);

/// A plan launch of ssd.attention: `attrs` its attributes (rotary_dim,
/// rope_theta, scale, operand_segments), `ins`/`outs` its buffers' dtypes,
/// `in` the operand groups q, k, v, past_k, past_v (null when absent) with
/// `qShape`, `kShape`, `vShape` and the cache length `past`, `out` y, keys,
/// values. Checks the shapes and launches.
void launchPlanAttention(const nlohmann::json &attrs, const std::vector<std::string> &ins,
                         const std::vector<std::string> &outs,
                         const std::array<const void *, 5> &in,
                         const std::vector<int64_t> &qShape,
                         const std::vector<int64_t> &kShape,
                         const std::vector<int64_t> &vShape, int64_t past,
                         const std::array<void *, 3> &out, const KernelLookup &function,
                         CUstream stream, bool sync, const std::string &where);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_LAUNCHATTENTION_H
