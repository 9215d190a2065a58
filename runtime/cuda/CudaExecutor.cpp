// The CUDA plan executor (see CudaExecutor.h). One Slot per plan buffer:
// device memory owned by the run (poisoned with NaN when allocated, so an
// element no kernel writes shows), or borrowed (weights, reshaped views).
// Launch shapes are chosen here, per kernel family, as each device template
// documents. Kernels run on the default stream; by default each launch is
// synchronised so an error names the launch that caused it
// (SSDC_CUDA_ASYNC=1 turns that off). The driver API (module loading and
// launches) is reached through cudaGetDriverEntryPointByVersion, so nothing
// links libcuda: ssdc still starts on machines without a GPU driver.
#include "runtime/cuda/CudaExecutor.h"

#include "runtime/core/CallShape.h"
#include "runtime/core/Error.h"

#include "ssdc/cuda_kernels.h"
#include "ssdc/cuda_params.h"

#include <cublas_v2.h>
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace ssdc::rt {

namespace {

/// The driver API entry points, looked up through the runtime.
struct Driver {
#define SSDC_DRIVER_FN(name) decltype(&::name) name = nullptr;
  SSDC_DRIVER_FN(cuGetErrorName)
  SSDC_DRIVER_FN(cuGetErrorString)
  SSDC_DRIVER_FN(cuModuleLoadData)
  SSDC_DRIVER_FN(cuModuleGetFunction)
  SSDC_DRIVER_FN(cuModuleUnload)
  SSDC_DRIVER_FN(cuFuncSetAttribute)
  SSDC_DRIVER_FN(cuLaunchKernel)
#undef SSDC_DRIVER_FN
};

void check(cudaError_t e, const std::string &what);

const Driver &driver() {
  static Driver d = [] {
    Driver d;
    auto get = [](const char *symbol, void **fn) {
      cudaDriverEntryPointQueryResult found;
      check(cudaGetDriverEntryPointByVersion(symbol, fn, 12000, cudaEnableDefault, &found),
            std::string("looking up the driver function ") + symbol);
      if (found != cudaDriverEntryPointSuccess || !*fn)
        throw RuntimeError(std::string("the CUDA driver has no ") + symbol);
    };
#define SSDC_DRIVER_FN(name) get(#name, reinterpret_cast<void **>(&d.name));
    SSDC_DRIVER_FN(cuGetErrorName)
    SSDC_DRIVER_FN(cuGetErrorString)
    SSDC_DRIVER_FN(cuModuleLoadData)
    SSDC_DRIVER_FN(cuModuleGetFunction)
    SSDC_DRIVER_FN(cuModuleUnload)
    SSDC_DRIVER_FN(cuFuncSetAttribute)
    SSDC_DRIVER_FN(cuLaunchKernel)
#undef SSDC_DRIVER_FN
    return d;
  }();
  return d;
}

void check(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    throw RuntimeError("CUDA error in " + what + ": " + cudaGetErrorName(e) + " (" +
                       cudaGetErrorString(e) + ")");
}

void check(CUresult e, const std::string &what) {
  if (e != CUDA_SUCCESS) {
    const char *name = nullptr, *text = nullptr;
    driver().cuGetErrorName(e, &name);
    driver().cuGetErrorString(e, &text);
    throw RuntimeError("CUDA driver error in " + what + ": " +
                       (name ? name : "?") + " (" + (text ? text : "?") + ")");
  }
}

void check(cublasStatus_t e, const std::string &what) {
  if (e != CUBLAS_STATUS_SUCCESS)
    throw RuntimeError("cuBLAS error in " + what + ": status " + std::to_string(int(e)));
}

/// Bytes per element of a plan dtype the executor stores.
size_t elemSize(const std::string &dtype) {
  if (dtype == "f32") return 4;
  if (dtype == "bf16" || dtype == "f16") return 2;
  if (dtype == "i64") return 8;
  throw RuntimeError("the CUDA executor cannot store dtype '" + dtype + "'");
}

cudaDataType_t blasType(const std::string &dtype) {
  if (dtype == "f32") return CUDA_R_32F;
  if (dtype == "bf16") return CUDA_R_16BF;
  if (dtype == "f16") return CUDA_R_16F;
  throw RuntimeError("no cuBLAS type for dtype '" + dtype + "'");
}

/// f32 host values in `dtype` (round to nearest even), as bytes.
std::vector<unsigned char> encode(const float *v, int64_t n, const std::string &dtype) {
  std::vector<unsigned char> bytes(static_cast<size_t>(n) * elemSize(dtype));
  if (dtype == "f32") {
    std::copy_n(reinterpret_cast<const unsigned char *>(v), bytes.size(), bytes.data());
  } else if (dtype == "bf16") {
    auto *o = reinterpret_cast<__nv_bfloat16 *>(bytes.data());
    for (int64_t i = 0; i < n; ++i)
      o[i] = __float2bfloat16_rn(v[i]);
  } else if (dtype == "f16") {
    auto *o = reinterpret_cast<__half *>(bytes.data());
    for (int64_t i = 0; i < n; ++i)
      o[i] = __float2half_rn(v[i]);
  } else {
    throw RuntimeError("cannot convert f32 values to dtype '" + dtype + "'");
  }
  return bytes;
}

/// Device-dtype bytes back to f32 (exact).
void decode(const unsigned char *bytes, int64_t n, const std::string &dtype, float *out) {
  if (dtype == "f32") {
    std::copy_n(reinterpret_cast<const float *>(bytes), n, out);
  } else if (dtype == "bf16") {
    const auto *b = reinterpret_cast<const __nv_bfloat16 *>(bytes);
    for (int64_t i = 0; i < n; ++i)
      out[i] = __bfloat162float(b[i]);
  } else if (dtype == "f16") {
    const auto *h = reinterpret_cast<const __half *>(bytes);
    for (int64_t i = 0; i < n; ++i)
      out[i] = __half2float(h[i]);
  } else {
    throw RuntimeError("cannot read dtype '" + dtype + "' as f32");
  }
}

float toFloat(double v) {
  if (v > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
  if (v < -std::numeric_limits<float>::max()) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(v);
}

} // namespace

struct CudaExecutor::Impl {
  CUmodule module = nullptr;
  cublasHandle_t blas = nullptr;
  std::map<std::string, CUfunction> functions;
  std::map<std::string, void *> weights;  // by "name@dtype"
  std::vector<void *> allocations;  // weights, freed at destruction
  bool sync = true;

  CUfunction function(const std::string &name) {
    auto it = functions.find(name);
    if (it != functions.end())
      return it->second;
    CUfunction f = nullptr;
    check(driver().cuModuleGetFunction(&f, module, name.c_str()),
          "cuModuleGetFunction('" + name + "'): the artifact's kernels.fatbin has no "
          "such kernel (recompile the artifact with this ssdc)");
    functions[name] = f;
    return f;
  }

  ~Impl() {
    for (void *p : allocations)
      cudaFree(p);
    if (blas)
      cublasDestroy(blas);
    if (module)
      driver().cuModuleUnload(module);
  }
};

CudaExecutor::CudaExecutor(const std::string &fatbinPath,
                           const std::vector<HostWeight> &weights)
    : impl(std::make_unique<Impl>()) {
  if (const char *a = std::getenv("SSDC_CUDA_ASYNC"))
    impl->sync = std::string(a) != "1";
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount (is there an NVIDIA GPU and driver?)");
  if (count < 1)
    throw RuntimeError("--device cuda: no CUDA device found");
  check(cudaSetDevice(0), "cudaSetDevice(0)");
  check(cudaFree(nullptr), "creating the CUDA context");
  std::ifstream in(fatbinPath, std::ios::binary);
  if (!in)
    throw RuntimeError(fatbinPath + ": cannot read the CUDA kernels (was the artifact "
                       "compiled with --target cuda where nvcc was found?)");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string image = ss.str();
  check(driver().cuModuleLoadData(&impl->module, image.data()),
        "cuModuleLoadData(" + fatbinPath + ")");
  check(cublasCreate(&impl->blas), "cublasCreate");
  check(cublasSetMathMode(impl->blas, CUBLAS_PEDANTIC_MATH),
        "cublasSetMathMode(pedantic: fp32 GEMMs in fp32, no TF32)");
  for (const HostWeight &w : weights) {
    void *d = nullptr;
    std::vector<unsigned char> host = encode(w.data, w.count, w.dtype);
    size_t bytes = host.size();
    check(cudaMalloc(&d, std::max<size_t>(bytes, 4)), "cudaMalloc for weight '" + w.name + "'");
    impl->allocations.push_back(d);
    check(cudaMemcpy(d, host.data(), bytes, cudaMemcpyHostToDevice),
          "uploading weight '" + w.name + "' (" + w.dtype + ")");
    impl->weights[w.name + "@" + w.dtype] = d;
  }
}

CudaExecutor::~CudaExecutor() = default;

std::string CudaExecutor::deviceName() const {
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  return prop.name;
}

namespace {

struct Slot {
  std::vector<int64_t> shape;
  void *data = nullptr;
  bool ready = false;
};

using DTypes = std::vector<std::string>;

/// One run of an entry: its buffers on the device.
class Run {
public:
  Run(const Entry &e, CudaExecutor::Impl &x, CallShape sym)
      : e(e), x(x), sym(sym), slots(e.buffers.size()) {}
  ~Run() {
    for (void *p : owned)
      cudaFree(p);
  }

  std::vector<int64_t> shapeOf(int64_t id) const {
    return sym.shapeOf(e.buffers[id]);
  }

  const std::string &dtype(int64_t id) const { return e.buffers[id].dtype; }

  DTypes dtypes(const std::vector<int64_t> &ids) const {
    DTypes v;
    for (int64_t id : ids)
      v.push_back(dtype(id));
    return v;
  }

  void *alloc(int64_t count, const std::string &dt, const std::string &what) {
    void *p = nullptr;
    size_t bytes = std::max<int64_t>(count, 1) * elemSize(dt);
    check(cudaMalloc(&p, bytes), "cudaMalloc(" + std::to_string(bytes) + " bytes) for " + what);
    owned.push_back(p);
    check(cudaMemset(p, 0xff, bytes), "poisoning " + what);  // all ones: NaN in f32/bf16/f16
    return p;
  }

  void bindHost(int64_t id, const float *host, const std::string &what) {
    Slot &s = slots[id];
    s.shape = shapeOf(id);
    int64_t n = Tensor::count(s.shape);
    std::vector<unsigned char> bytes = encode(host, n, dtype(id));
    s.data = alloc(n, dtype(id), what);
    check(cudaMemcpy(s.data, bytes.data(), bytes.size(), cudaMemcpyHostToDevice),
          "uploading " + what);
    s.ready = true;
  }

  /// An operand the kernels read as float: its buffer must be f32.
  const float *inF32(int64_t id, const std::string &what) {
    requireF32(id, what);
    return static_cast<const float *>(in(id));
  }
  float *outF32(int64_t id, const std::string &what) {
    requireF32(id, what);
    return static_cast<float *>(out(id));
  }
  void requireF32(int64_t id, const std::string &what) const {
    if (dtype(id) != "f32")
      throw RuntimeError("plan entry '" + e.name + "': " + what + " (buffer " +
                         std::to_string(id) + ") is " + dtype(id) +
                         "; the CUDA kernels keep it in f32 (numerics policy)");
  }

  const void *in(int64_t id) {
    Slot &s = slots[id];
    if (s.ready)
      return s.data;
    const Buffer &b = e.buffers[id];
    s.shape = shapeOf(id);
    if (b.kind == BufferKind::Weight) {
      auto it = x.weights.find(b.weightName + "@" + b.dtype);
      if (it == x.weights.end())
        throw RuntimeError("weight '" + b.weightName + "' was not uploaded as " + b.dtype);
      s.data = it->second;
    } else if (b.kind == BufferKind::View && b.columnOffset < 0) {
      if (dtype(b.viewOf) != b.dtype)
        throw RuntimeError("plan entry '" + e.name + "': view " + std::to_string(id) +
                           " is " + b.dtype + " of a " + dtype(b.viewOf) + " buffer");
      s.data = const_cast<void *>(in(b.viewOf));
    } else if (b.kind == BufferKind::View) {
      const void *src = in(b.viewOf);
      int64_t width = slots[b.viewOf].shape.back();
      cuda::CopyColumnsParams p{src, nullptr, Tensor::count(s.shape) / b.columns, width,
                                b.columnOffset, b.columns};
      s.data = alloc(Tensor::count(s.shape), b.dtype, "view buffer " + std::to_string(id));
      p.dst = s.data;
      launch1d("ssd.split.copy", nlohmann::json::object(), {dtype(b.viewOf)}, {b.dtype},
               p, p.rows * p.columns,
               "the column view " + std::to_string(id) + " of buffer " +
                   std::to_string(b.viewOf));
    } else {
      throw RuntimeError("plan entry '" + e.name + "': buffer " + std::to_string(id) +
                         " is read before it is written");
    }
    s.ready = true;
    return s.data;
  }

  void *out(int64_t id) {
    Slot &s = slots[id];
    s.shape = shapeOf(id);
    s.data = alloc(Tensor::count(s.shape), dtype(id),
                   "buffer " + std::to_string(id) + " of entry '" + e.name + "'");
    s.ready = true;
    return s.data;
  }

  const std::vector<int64_t> &shape(int64_t id) {
    in(id);
    return slots[id].shape;
  }

  Tensor take(int64_t id) {
    const void *d = in(id);
    Tensor t;
    t.shape = slots[id].shape;
    t.data.resize(Tensor::count(t.shape));
    std::vector<unsigned char> bytes(t.data.size() * elemSize(dtype(id)));
    check(cudaMemcpy(bytes.data(), d, bytes.size(), cudaMemcpyDeviceToHost),
          "copying buffer " + std::to_string(id) + " of entry '" + e.name + "' to the host");
    decode(bytes.data(), static_cast<int64_t>(t.data.size()), dtype(id), t.data.data());
    return t;
  }

  /// Launches the kernel for `op` with `params`, grid x block.
  template <typename P>
  void launch(const std::string &op, const nlohmann::json &attrs, const DTypes &ins,
              const DTypes &outs, P params, unsigned grid, unsigned block, size_t smem,
              const std::string &where) {
    std::optional<cuda::KernelInstance> k = cuda::kernelFor(op, attrs, ins, outs);
    if (!k) {
      std::string sig;
      for (const std::string &d : ins)
        sig += (sig.empty() ? "" : ", ") + d;
      sig += " -> ";
      for (size_t i = 0; i < outs.size(); ++i)
        sig += (i ? ", " : "") + outs[i];
      throw RuntimeError("the CUDA executor has no kernel for " + op + " with dtypes " +
                         sig + " (" + where + ")");
    }
    std::string what = "kernel '" + k->name + "' for " + where + " of entry '" + e.name +
                       "' (grid " + std::to_string(grid) + ", block " +
                       std::to_string(block) + ", " + std::to_string(smem) +
                       " bytes of shared memory)";
    if (grid == 0)
      return;  // nothing to do (an empty tensor)
    CUfunction f = x.function(k->name);
    if (smem > 48 * 1024)
      check(driver().cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                               static_cast<int>(smem)),
            "raising the shared-memory limit of " + what);
    void *args[] = {&params};
    check(driver().cuLaunchKernel(f, grid, 1, 1, block, 1, 1, static_cast<unsigned>(smem), nullptr,
                         args, nullptr),
          "launching " + what);
    if (x.sync)
      check(cudaDeviceSynchronize(), "running " + what);
  }

  template <typename P>
  void launch1d(const std::string &op, const nlohmann::json &attrs, const DTypes &ins,
                const DTypes &outs, P params, int64_t work, const std::string &where) {
    int64_t blocks = std::min<int64_t>((work + 255) / 256, 65535);
    launch(op, attrs, ins, outs, params, static_cast<unsigned>(blocks), 256, 0, where);
  }

  const Entry &e;
  CudaExecutor::Impl &x;
  CallShape sym;
  std::vector<Slot> slots;
  std::vector<void *> owned;
};

struct Operands {
  const Launch &l;
  int index(size_t group) const {
    if (l.operandSegments.empty())
      return group < l.inputs.size() ? static_cast<int>(group) : -1;
    if (group >= l.operandSegments.size())
      return -1;
    int at = 0;
    for (size_t g = 0; g < group; ++g)
      at += l.operandSegments[g];
    return l.operandSegments[group] ? at : -1;
  }
};

std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape, size_t rank) {
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t dim = shape.size() - 1 - i, at = rank - 1 - i;
    strides[at] = shape[dim] == 1 ? 0 : stride;
    stride *= shape[dim];
  }
  return strides;
}

void dtLimit(const nlohmann::json &attrs, float &lo, float &hi) {
  lo = -std::numeric_limits<float>::infinity();
  hi = std::numeric_limits<float>::infinity();
  if (attrs.contains("dt_limit")) {
    lo = toFloat(attrNumber(attrs["dt_limit"][0]));
    hi = toFloat(attrNumber(attrs["dt_limit"][1]));
  }
}

void runLaunch(Run &r, const Launch &l, size_t index, CudaExecutor::Impl &x,
               int64_t vocab, const std::vector<int64_t> &ids) {
  const std::string &op = l.op;
  const nlohmann::json &attrs = l.attrs;
  std::string where = "launch #" + std::to_string(index) + " (" + op +
                      (l.layer.empty() ? "" : " in " + l.layer) + ")";
  Operands ops{l};
  const DTypes ins = r.dtypes(l.inputs), outs = r.dtypes(l.outputs);
  auto input = [&](size_t group) -> const void * {
    int i = ops.index(group);
    return i < 0 ? nullptr : r.in(l.inputs[i]);
  };
  // An operand the templates read as float (A, D, dt bias, states, cumsums).
  auto inputF32 = [&](size_t group, const char *what) -> const float * {
    int i = ops.index(group);
    return i < 0 ? nullptr : r.inF32(l.inputs[i], std::string(what) + " of " + where);
  };
  auto outF32 = [&](size_t i, const char *what) {
    return r.outF32(l.outputs[i], std::string(what) + " of " + where);
  };
  auto inShape = [&](size_t group) { return r.shape(l.inputs[ops.index(group)]); };

  if (op == "ssd.embedding") {
    const void *table = r.in(l.inputs[0]);
    std::vector<int64_t> t = r.shape(l.inputs[0]);
    int64_t rows = r.sym.b * r.sym.l;
    for (int64_t i = 0; i < rows; ++i)
      if (ids[i] < 0 || ids[i] >= t[0] || (vocab > 0 && ids[i] >= vocab))
        throw RuntimeError("input id " + std::to_string(ids[i]) + " at position " +
                           std::to_string(i) + " is outside the vocabulary [0, " +
                           std::to_string(t[0]) + ")");
    void *dIds = nullptr;
    check(cudaMalloc(&dIds, rows * sizeof(int64_t)), "cudaMalloc for the token ids");
    r.owned.push_back(dIds);
    check(cudaMemcpy(dIds, ids.data(), rows * sizeof(int64_t), cudaMemcpyHostToDevice),
          "uploading the token ids");
    cuda::EmbeddingParams p{static_cast<const int64_t *>(dIds), table,
                            r.out(l.outputs[0]), rows, t[1], t[0]};
    r.launch1d(op, attrs, ins, outs, p, rows * t[1], where);
    return;
  }
  if (op == "ssd.rmsnorm") {
    const void *xin = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    const void *z = l.inputs.size() > 2 ? r.in(l.inputs[2]) : nullptr;
    std::vector<int64_t> xs = r.shape(l.inputs[0]);
    int64_t d = xs.back(), rows = Tensor::count(xs) / d;
    int64_t group = attrs.value("group_size", d);
    if (group <= 0 || d % group != 0)
      throw RuntimeError("rmsnorm group_size " + std::to_string(group) +
                         " does not divide " + std::to_string(d) + " (" + where + ")");
    cuda::RmsnormParams p{xin, z, w, r.out(l.outputs[0]), rows, d, group,
                          toFloat(attrs.contains("eps") ? attrNumber(attrs["eps"]) : 1e-5),
                          attrs.value("norm_before_gate", false) ? 1 : 0};
    r.launch(op, attrs, ins, outs, p, static_cast<unsigned>(rows * (d / group)), 256,
             256 * sizeof(float), where);
    return;
  }
  if (op == "ssd.linear") {
    const void *xin = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    std::vector<int64_t> ws = r.shape(l.inputs[1]);
    int64_t n = ws[0], k = ws[1];
    int64_t rows = Tensor::count(r.shape(l.inputs[0])) / k;
    void *o = r.out(l.outputs[0]);
    const float one = 1.0f, zero = 0.0f;
    std::string shapes = "([" + std::to_string(rows) + ", " + std::to_string(k) + "] x [" +
                         std::to_string(n) + ", " + std::to_string(k) + "]ᵀ)";
    // Row-major o[rows, n] = x[rows, k] · w[n, k]ᵀ is column-major
    // oᵀ[n, rows] = wᵀ... : op(A) = w as (k x n)ᵀ, B = xᵀ (k x rows).
    if (ins[0] == "f32" && ins[1] == "f32" && outs[0] == "f32") {
      check(cublasSgemm(x.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n),
                        static_cast<int>(rows), static_cast<int>(k), &one,
                        static_cast<const float *>(w), static_cast<int>(k),
                        static_cast<const float *>(xin), static_cast<int>(k), &zero,
                        static_cast<float *>(o), static_cast<int>(n)),
            "cublasSgemm for " + where + " of entry '" + r.e.name + "' " + shapes);
    } else {
      // bf16/f16 operands, fp32 accumulation (compute type 32F); the output
      // in its plan dtype (f32 logits, or the 16-bit activation).
      if (ins[0] != ins[1] || ins[0] == "f32")
        throw RuntimeError("the CUDA executor's GEMM needs x and w of one 16-bit dtype, "
                           "got " + ins[0] + " and " + ins[1] + " (" + where + ")");
      check(cublasGemmEx(x.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n),
                         static_cast<int>(rows), static_cast<int>(k), &one, w,
                         blasType(ins[1]), static_cast<int>(k), xin, blasType(ins[0]),
                         static_cast<int>(k), &zero, o, blasType(outs[0]),
                         static_cast<int>(n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx (" + ins[0] + " operands -> " + outs[0] +
                ", compute 32F) for " + where + " of entry '" + r.e.name + "' " + shapes);
    }
    if (r.x.sync)
      check(cudaDeviceSynchronize(), "running the GEMM for " + where);
    if (l.inputs.size() > 2) {
      const void *bias = r.in(l.inputs[2]);
      cuda::BinaryParams p{};
      p.a = o;
      p.b = bias;
      p.y = o;
      p.n = rows * n;
      p.rank = 2;
      p.shape[0] = rows;
      p.shape[1] = n;
      p.aStride[0] = n;
      p.aStride[1] = 1;
      p.bStride[0] = 0;
      p.bStride[1] = 1;
      r.launch1d("ssd.add", nlohmann::json::object(), {outs[0], ins[2]}, {outs[0]}, p,
                 p.n, where + " bias");
    }
    return;
  }
  if (op == "ssd.conv1d") {
    std::vector<int64_t> xs = inShape(0), ws = inShape(1);
    cuda::Conv1dParams p{input(0), input(1), input(2), inputF32(3, "the conv state"),
                         r.out(l.outputs[0]),
                         l.outputs.size() > 1 ? outF32(1, "the final conv state") : nullptr,
                         xs[0], xs[1], xs[2], ws[1], attrs.value("silu", false) ? 1 : 0};
    r.launch1d(op, attrs, ins, outs, p, xs[0] * xs[2], where);
    return;
  }
  if (op == "ssd.ssm") {
    std::vector<int64_t> xs = inShape(0), bs = inShape(3);
    if (ops.index(5) >= 0 && inShape(5).size() != 1)
      throw RuntimeError("the CUDA executor cannot run D of shape [h, p] (" + where + ")");
    cuda::SsmParams p{};
    p.x = input(0);
    p.dt = input(1);
    p.A = inputF32(2, "A");
    p.B = input(3);
    p.C = input(4);
    p.D = inputF32(5, "D");
    p.dtBias = inputF32(6, "dt_bias");
    p.initState = inputF32(7, "the initial SSM state");
    p.y = r.out(l.outputs[0]);
    p.finalState = outF32(1, "the final SSM state");
    p.batch = xs[0];
    p.len = xs[1];
    p.heads = xs[2];
    p.headdim = xs[3];
    p.groups = bs[2];
    p.dstate = bs[3];
    p.dtSoftplus = attrs.value("dt_softplus", false) ? 1 : 0;
    dtLimit(attrs, p.dtMin, p.dtMax);
    std::string kind = "recurrent";
    if (attrs.contains("schedule"))
      kind = attrs["schedule"].value("kind", kind);
    size_t smem = kind == "quadratic" ? p.len * (sizeof(double) + sizeof(float))
                                      : (p.headdim * p.dstate + 2 * p.dstate) * sizeof(float);
    r.launch(op, attrs, ins, outs, p, static_cast<unsigned>(p.batch * p.heads), 256, smem,
             where);
    return;
  }
  if (op == "ssd.chunk_cumsum") {
    std::vector<int64_t> ds = inShape(0);
    int64_t q = attrs.value("chunk_size", int64_t(0));
    cuda::ChunkCumsumParams p{input(0), inputF32(1, "A"), inputF32(2, "dt_bias"),
                              outF32(0, "processed dt"), outF32(1, "the cumsum"),
                              ds[0], ds[1], ds[2],
                              attrs.value("dt_softplus", false) ? 1 : 0, 0, 0};
    dtLimit(attrs, p.dtMin, p.dtMax);
    r.launch1d(op, attrs, ins, outs, p, ds[0] * ((ds[1] + q - 1) / q) * ds[2], where);
    return;
  }
  if (op == "ssd.chunk_state") {
    std::vector<int64_t> ks = r.shape(l.inputs[0]), vs = r.shape(l.inputs[1]);
    int64_t q = attrs.value("chunk_size", int64_t(0));
    cuda::ChunkStateParams p{r.in(l.inputs[0]), r.in(l.inputs[1]),
                             r.inF32(l.inputs[2], "the cumsum of " + where),
                             outF32(0, "the chunk states"), vs[0], vs[1], vs[2], vs[3],
                             ks[2], ks[3]};
    r.launch1d(op, attrs, ins, outs, p,
               vs[0] * ((vs[1] + q - 1) / q) * vs[2] * vs[3] * ks[3], where);
    return;
  }
  if (op == "ssd.state_pass") {
    std::vector<int64_t> ss = r.shape(l.inputs[0]), cs = r.shape(l.inputs[1]);
    cuda::StatePassParams p{r.inF32(l.inputs[0], "the chunk states of " + where),
                            r.inF32(l.inputs[1], "the cumsum of " + where),
                            l.inputs.size() > 2
                                ? r.inF32(l.inputs[2], "the initial state of " + where)
                                : nullptr,
                            outF32(0, "the chunk-start states"), outF32(1, "the final state"),
                            ss[0], cs[1], ss[2], ss[3], ss[4]};
    r.launch1d(op, attrs, ins, outs, p, ss[0] * ss[2] * ss[3] * ss[4], where);
    return;
  }
  if (op == "ssd.chunk_output") {
    std::vector<int64_t> qs = inShape(0), vs = inShape(2);
    if (ops.index(6) >= 0 && inShape(6).size() != 1)
      throw RuntimeError("the CUDA executor cannot run D of shape [h, p] (" + where + ")");
    cuda::ChunkOutputParams p{input(0), input(1), input(2), inputF32(3, "the cumsum"),
                              inputF32(4, "the chunk-start states"), input(5),
                              inputF32(6, "D"), r.out(l.outputs[0]),
                              vs[0], vs[1], vs[2], vs[3], qs[2], qs[3]};
    r.launch1d(op, attrs, ins, outs, p, vs[0] * vs[1] * vs[2] * vs[3], where);
    return;
  }
  if (op == "ssd.add" || op == "ssd.mul") {
    const void *a = r.in(l.inputs[0]), *b = r.in(l.inputs[1]);
    std::vector<int64_t> as = r.shape(l.inputs[0]), bs = r.shape(l.inputs[1]);
    void *o = r.out(l.outputs[0]);
    std::vector<int64_t> os = r.shape(l.outputs[0]);
    if (os.size() > static_cast<size_t>(cuda::kMaxRank) || as.size() > os.size() ||
        bs.size() > os.size())
      throw RuntimeError("broadcast of rank > " + std::to_string(cuda::kMaxRank) +
                         " (" + where + ")");
    cuda::BinaryParams p{};
    p.a = a;
    p.b = b;
    p.y = o;
    p.n = Tensor::count(os);
    p.rank = static_cast<int>(os.size());
    std::vector<int64_t> sa = broadcastStrides(as, os.size()),
                         sb = broadcastStrides(bs, os.size());
    for (size_t d = 0; d < os.size(); ++d) {
      p.shape[d] = os[d];
      p.aStride[d] = sa[d];
      p.bStride[d] = sb[d];
    }
    r.launch1d(op, attrs, ins, outs, p, p.n, where);
    return;
  }
  if (op == "ssd.exp" || op == "ssd.neg" || op == "ssd.silu" || op == "ssd.softplus" ||
      op == "ssd.clamp" || op == "ssd.cast") {
    const void *a = r.in(l.inputs[0]);
    cuda::UnaryParams p{a, r.out(l.outputs[0]), Tensor::count(r.shape(l.inputs[0])), 0, 0};
    if (op == "ssd.clamp") {
      p.lo = toFloat(attrNumber(attrs.at("min")));
      p.hi = toFloat(attrNumber(attrs.at("max")));
    }
    r.launch1d(op, attrs, ins, outs, p, p.n, where);
    return;
  }
  throw RuntimeError("the CUDA executor cannot run '" + l.kernel + "' (" + where +
                     "): no CUDA kernel for " + op + " yet");
}

} // namespace

RunResult CudaExecutor::run(const Entry &entry, const std::vector<int64_t> &ids,
                            int64_t batch, int64_t length,
                            const std::map<std::string, Tensor> &states) {
  CallShape sym;
  sym.b = batch;
  sym.l = length;
  checkTokenCount(ids, sym);
  Run r(entry, *impl, sym);
  for (int64_t id : entry.inputs) {
    const Buffer &b = entry.buffers[id];
    if (b.role == "input_ids") {
      r.slots[id].shape = r.shapeOf(id);
      r.slots[id].ready = true;  // read by the embedding from `ids`
      continue;
    }
    r.requireF32(id, "state '" + b.role + "'");
    r.bindHost(id, requireState(entry, b, states, sym).data.data(),
               "state '" + b.role + "'");
  }
  for (size_t i = 0; i < entry.launches.size(); ++i)
    runLaunch(r, entry.launches[i], i, *impl, vocab, ids);
  check(cudaDeviceSynchronize(), "finishing entry '" + entry.name + "'");

  return collectOutputs(entry, [&](int64_t id) { return r.take(id); });
}

} // namespace ssdc::rt
