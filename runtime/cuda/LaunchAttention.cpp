// ssd.attention on the GPU (see LaunchAttention.h): grid shapes per
// attention.cuh, every driver call checked.
#include "runtime/cuda/LaunchAttention.h"

#include "runtime/core/Error.h"
#include "runtime/core/Plan.h"
#include "runtime/cuda/Nvrtc.h"

#include "ssdc/cuda_kernels.h"
#include "ssdc/cuda_params.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>

namespace ssdc::rt {

namespace {

std::string shapeText(const std::vector<int64_t> &s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i)
    t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

/// The dtypes of `c` as a plan launch would list them, and its attributes.
void planView(const AttentionCall &c, std::vector<std::string> &ins,
              std::vector<std::string> &outs, nlohmann::json &attrs) {
  ins = {c.qkvDtype, c.qkvDtype, c.qkvDtype};
  if (c.past > 0) {
    ins.push_back(c.cacheDtype);
    ins.push_back(c.cacheDtype);
  }
  outs = {c.yDtype, c.cacheDtype, c.cacheDtype};
  attrs = cuda::attentionAttrs(nlohmann::json::object(), c.headdim, c.vHeaddim);
}

std::string describe(const AttentionCall &c) {
  return "b " + std::to_string(c.batch) + ", l " + std::to_string(c.len) + ", s " +
         std::to_string(c.past) + ", hq " + std::to_string(c.qHeads) + ", hk " +
         std::to_string(c.kvHeads) + ", d " + std::to_string(c.headdim) + ", dv " +
         std::to_string(c.vHeaddim) + ", " + c.qkvDtype + "/" + c.cacheDtype + "/" +
         c.yDtype;
}

/// The attention kernel's dynamic shared memory (attention.cuh's layout).
int attentionSharedBytes(int d, int dv) {
  using P = cuda::AttentionParams;
  return 4 * (P::kRows * d + P::kKeys * (d + 1) + P::kKeys * dv + P::kRows * P::kKeys +
              3 * P::kRows);
}

void launchOne(const KernelLookup &function, const std::string &name, void *params,
               unsigned grid, unsigned block, int smem, CUstream stream, bool sync,
               const std::string &what) {
  const DriverCalls &d = driverCalls();
  CUfunction f = function(name);
  if (smem > 48 * 1024)
    checkDriver(d.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
                "raising the shared-memory limit of " + what);
  void *args[] = {params};
  checkDriver(d.cuLaunchKernel(f, grid, 1, 1, block, 1, 1, static_cast<unsigned>(smem),
                               stream, args, nullptr),
              "launching " + what);
  if (sync) {
    cudaError_t e = cudaStreamSynchronize(reinterpret_cast<cudaStream_t>(stream));
    if (e != cudaSuccess)
      throw RuntimeError("CUDA error in running " + what + ": " + cudaGetErrorName(e) +
                         " (" + cudaGetErrorString(e) + ")");
  }
}

} // namespace

std::array<std::string, 2> attentionKernelNames(const AttentionCall &c) {
  std::vector<std::string> ins, outs;
  nlohmann::json attrs;
  planView(c, ins, outs, attrs);
  auto cache = cuda::kernelFor("ssd.attention.cache", attrs, ins, outs);
  auto attn = cuda::kernelFor("ssd.attention", attrs, ins, outs);
  if (!cache || !attn)
    throw RuntimeError("no CUDA attention kernel for " + describe(c) +
                       " (q, k, v of one dtype; the cache of one dtype; head dims "
                       "1..256)");
  return {cache->name, attn->name};
}

void launchAttention(const AttentionCall &c, const KernelLookup &function, CUstream stream,
                     bool sync, const std::string &where) {
  if (c.batch < 0 || c.len < 0 || c.past < 0 || c.qHeads <= 0 || c.kvHeads <= 0 ||
      c.qHeads % c.kvHeads != 0 || c.headdim <= 0 || c.vHeaddim <= 0 ||
      c.rotaryDim < 0 || c.rotaryDim > c.headdim)
    throw RuntimeError("attention (" + where + "): bad shape (" + describe(c) +
                       ", rotary_dim " + std::to_string(c.rotaryDim) + ")");
  if (c.past > 0 && (!c.pastK || !c.pastV))
    throw RuntimeError("attention (" + where + "): " + std::to_string(c.past) +
                       " cached positions but no past keys/values");
  std::array<std::string, 2> names = attentionKernelNames(c);
  cuda::AttentionParams p{};
  p.q = c.q;
  p.k = c.k;
  p.v = c.v;
  p.pastK = c.past > 0 ? c.pastK : nullptr;
  p.pastV = c.past > 0 ? c.pastV : nullptr;
  p.keys = c.keys;
  p.values = c.values;
  p.y = c.y;
  p.batch = c.batch;
  p.len = c.len;
  p.past = c.past;
  p.qHeads = c.qHeads;
  p.kvHeads = c.kvHeads;
  p.headdim = c.headdim;
  p.vHeaddim = c.vHeaddim;
  p.rotaryDim = c.rotaryDim;
  p.ropeTheta = c.ropeTheta;
  p.scale = static_cast<float>(c.scale > 0 ? c.scale : 1.0 / std::sqrt(double(c.headdim)));

  const int64_t work = c.batch * (c.past + c.len) * c.kvHeads * (c.headdim + c.vHeaddim);
  const unsigned cacheBlocks =
      static_cast<unsigned>(std::min<int64_t>((work + 255) / 256, 65535));
  if (work > 0)
    launchOne(function, names[0], &p, cacheBlocks, 256, 0, stream, sync,
              "kernel '" + names[0] + "' for " + where + " (" + describe(c) + ")");

  const int64_t rows = c.len * (c.qHeads / c.kvHeads);
  const int64_t tiles = (rows + cuda::AttentionParams::kRows - 1) / cuda::AttentionParams::kRows;
  const int64_t blocks = c.batch * c.kvHeads * tiles;
  if (blocks > 0x7fffffff)
    throw RuntimeError("attention (" + where + "): " + std::to_string(blocks) +
                       " blocks is more than one grid holds");
  const int smem = attentionSharedBytes(static_cast<int>(c.headdim),
                                        static_cast<int>(c.vHeaddim));
  if (blocks == 0)
    return;
  launchOne(function, names[1], &p, static_cast<unsigned>(blocks),
            cuda::AttentionParams::kThreads, smem, stream, sync,
            "kernel '" + names[1] + "' for " + where + " (" + describe(c) + ", grid " +
                std::to_string(blocks) + ", " + std::to_string(smem) +
                " bytes of shared memory)");
}

void launchPlanAttention(const nlohmann::json &attrs, const std::vector<std::string> &ins,
                         const std::vector<std::string> &outs,
                         const std::array<const void *, 5> &in,
                         const std::vector<int64_t> &qShape,
                         const std::vector<int64_t> &kShape,
                         const std::vector<int64_t> &vShape, int64_t past,
                         const std::array<void *, 3> &out, const KernelLookup &function,
                         CUstream stream, bool sync, const std::string &where) {
  if (qShape.size() != 4 || kShape.size() != 4 || vShape.size() != 4 ||
      kShape[0] != qShape[0] || vShape[0] != qShape[0] || kShape[1] != qShape[1] ||
      vShape[1] != qShape[1] || kShape[3] != qShape[3] || vShape[2] != kShape[2])
    throw RuntimeError("attention (" + where + "): q " + shapeText(qShape) + ", k " +
                       shapeText(kShape) + ", v " + shapeText(vShape) +
                       " are not [b,l,hq,d], [b,l,hk,d], [b,l,hk,dv]");
  // The dtypes as the plan has them must be what the kernels take.
  nlohmann::json a = cuda::attentionAttrs(attrs, qShape[3], vShape[3]);
  if (!cuda::kernelFor("ssd.attention", a, ins, outs) ||
      !cuda::kernelFor("ssd.attention.cache", a, ins, outs))
    throw RuntimeError("attention (" + where + "): no CUDA kernel for these operand "
                       "dtypes (q, k, v of one dtype, past and next cache of one)");
  AttentionCall c;
  c.q = in[0];
  c.k = in[1];
  c.v = in[2];
  c.pastK = in[3];
  c.pastV = in[4];
  c.y = out[0];
  c.keys = out[1];
  c.values = out[2];
  c.batch = qShape[0];
  c.len = qShape[1];
  c.past = past;
  c.qHeads = qShape[2];
  c.kvHeads = kShape[2];
  c.headdim = qShape[3];
  c.vHeaddim = vShape[3];
  c.rotaryDim = attrs.value("rotary_dim", int64_t(0));
  if (attrs.contains("rope_theta"))
    c.ropeTheta = attrNumber(attrs["rope_theta"]);
  if (attrs.contains("scale"))
    c.scale = attrNumber(attrs["scale"]);
  c.qkvDtype = ins.at(0);
  c.yDtype = outs.at(0);
  c.cacheDtype = outs.at(1);
  launchAttention(c, function, stream, sync, where);
}

} // namespace ssdc::rt
