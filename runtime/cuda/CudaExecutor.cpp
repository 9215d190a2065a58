// The CUDA plan executor (see CudaExecutor.h, docs/gpu_runtime.md). One
// Slot per plan buffer of a Run: memory of the call shape's arena (Arena.h),
// a session's state buffer (bound by the caller), or borrowed (weights,
// reshaped views). In the synchronous mode (SSDC_CUDA_SYNC=1) every output
// is filled with NaN before its launch, so an element no kernel writes shows.
// Launch shapes are chosen here, per kernel family, as each device template
// documents. Kernels and GEMMs run on the executor's stream (a CUDA graph
// captures them from it). By default launches are asynchronous: a call
// synchronises once, at its end, where a non-finite logit makes the entry run
// again launch by launch to name the first bad output. SSDC_CUDA_SYNC=1
// synchronises after every launch (so a kernel fault names its launch) and
// poisons every output before its launch -- the mode the GPU tests use.
// The driver API (module loading and launches) is reached through
// cudaGetDriverEntryPointByVersion, so nothing links libcuda: ssdc still
// starts on machines without a GPU driver.
#include "runtime/cuda/CudaExecutor.h"

#include "runtime/core/CallShape.h"
#include "runtime/core/Error.h"
#include "runtime/cuda/Arena.h"
#include "runtime/cuda/LaunchAttention.h"
#include "runtime/cuda/LtGemm.h"
#include "runtime/cuda/Nvrtc.h"

#include "ssdc/cuda_kernels.h"
#include "ssdc/cuda_params.h"
#include "ssdc/decode_launch.h"
#include "ssdc/ssd_fused_launch.h"
#include "ssdc/ssd_staged_launch.h"

#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

namespace ssdc::rt {

namespace {

/// The driver API functions the executor uses (one list: declared and looked up).
#define SSDC_DRIVER_FNS(X)                                                     \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleGetFunction)                                                       \
  X(cuModuleUnload)                                                            \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)

/// The driver API entry points, looked up through the runtime.
struct Driver {
#define SSDC_DRIVER_FN(name) decltype(&::name) name = nullptr;
  SSDC_DRIVER_FNS(SSDC_DRIVER_FN)
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
    SSDC_DRIVER_FNS(SSDC_DRIVER_FN)
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

/// Bytes per element of a plan dtype the executor stores.
size_t elemSize(const std::string &dtype) {
  if (dtype == "f32") return 4;
  if (dtype == "bf16" || dtype == "f16") return 2;
  if (dtype == "i64") return 8;
  throw RuntimeError("the CUDA executor cannot store dtype '" + dtype + "'");
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

// The runtime's own kernels (RuntimeKernels.cu), built by nvcc with ssdc.
extern const unsigned char kRuntimeKernelsFatbin[];
extern const size_t kRuntimeKernelsFatbin_size;

struct CudaExecutor::Impl {
  CUmodule module = nullptr;
  CUmodule runtimeModule = nullptr;           // RuntimeKernels.cu
  CUfunction nonfinite32 = nullptr, nonfinite16 = nullptr;
  cudaStream_t stream = nullptr;              // every launch, GEMM and copy
  std::unique_ptr<LtGemm> gemm;
  std::map<std::string, CUfunction> functions;
  std::map<CUfunction, size_t> sharedLimit;   // dynamic shared memory raised to
  std::map<std::string, void *> weights;  // by "name@dtype"
  std::vector<void *> allocations;  // weights and constants, freed at destruction
  /// Outputs of the plans' constant launches (elementwise ops of weights
  /// only, e.g. A = -exp(A_log)), computed once and shared by every entry
  /// and session: by constantKey().
  std::map<std::string, void *> constants;
  /// run()'s sessions, one per batch size (states from and to the host).
  std::map<int64_t, std::unique_ptr<CudaSession>> scratch;
  bool sync = false;  ///< SSDC_CUDA_SYNC=1 (or the older SSDC_CUDA_ASYNC=0)
  bool graphs = true;   // SSDC_CUDA_GRAPH=0: sessions never capture
  int64_t vocab = 0;
  int smCount = 132;

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

  /// Raises `f`'s dynamic shared memory limit to `bytes` once.
  void allowShared(CUfunction f, size_t bytes, const std::string &what) {
    if (bytes <= 48 * 1024 || sharedLimit[f] >= bytes)
      return;
    check(driver().cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                      static_cast<int>(bytes)),
          "raising the shared-memory limit of " + what);
    sharedLimit[f] = bytes;
  }

  ~Impl() {
    scratch.clear();  // sessions free their memory through this executor
    gemm.reset();
    for (void *p : allocations)
      cudaFree(p);
    if (stream)
      cudaStreamDestroy(stream);
    if (runtimeModule)
      driver().cuModuleUnload(runtimeModule);
    if (module)
      driver().cuModuleUnload(module);
  }
};

CudaExecutor::CudaExecutor(const std::string &fatbinPath,
                           const std::vector<HostWeight> &weights)
    : impl(std::make_unique<Impl>()) {
  if (const char *s = std::getenv("SSDC_CUDA_SYNC"))
    impl->sync = std::string(s) == "1";
  else if (const char *a = std::getenv("SSDC_CUDA_ASYNC"))
    impl->sync = std::string(a) == "0";
  if (const char *g = std::getenv("SSDC_CUDA_GRAPH"))
    impl->graphs = std::string(g) != "0";
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount (is there an NVIDIA GPU and driver?)");
  if (count < 1)
    throw RuntimeError("--device cuda: no CUDA device found");
  check(cudaSetDevice(0), "cudaSetDevice(0)");
  check(cudaFree(nullptr), "creating the CUDA context");
  // kernels.fatbin; where it is missing or has no code for this GPU, the
  // artifact's kernels.cu through NVRTC (runtime/cuda/Nvrtc.cpp, cached).
  impl->module = loadKernelModule(fatbinPath);
  check(driver().cuModuleLoadData(&impl->runtimeModule, kRuntimeKernelsFatbin),
        "cuModuleLoadData(the runtime's own kernels, RuntimeKernels.cu)");
  check(driver().cuModuleGetFunction(&impl->nonfinite32, impl->runtimeModule,
                                     "ssdc_rt_flag_nonfinite"),
        "cuModuleGetFunction('ssdc_rt_flag_nonfinite')");
  check(driver().cuModuleGetFunction(&impl->nonfinite16, impl->runtimeModule,
                                     "ssdc_rt_flag_nonfinite_u16"),
        "cuModuleGetFunction('ssdc_rt_flag_nonfinite_u16')");
  check(cudaDeviceGetAttribute(&impl->smCount, cudaDevAttrMultiProcessorCount, 0),
        "cudaDeviceGetAttribute(multiprocessor count)");
  check(cudaStreamCreateWithFlags(&impl->stream, cudaStreamNonBlocking), "cudaStreamCreate");
  impl->gemm = std::make_unique<LtGemm>();
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
  // The uploads ran on the legacy stream; the launches run on impl->stream.
  check(cudaDeviceSynchronize(), "uploading the weights");
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

/// Where one run's buffers live.
struct RunMemory {
  char *arena = nullptr;              ///< the call shape's block (Arena.h)
  const ArenaPlan *plan = nullptr;
  std::map<int64_t, void *> bound;    ///< state inputs and output storages
  const int64_t *ids = nullptr;       ///< device token ids [b, l]
  bool poison = false;                ///< NaN-fill every output before its launch
  bool capturing = false;             ///< a CUDA graph is being captured: no sync
  /// Buffers holding their values already (an entry's constants); may be null.
  const std::map<int64_t, void *> *preset = nullptr;
  /// The lm_head launch to run for each sequence's last position only
  /// (runHeadLastPositions), its logits bound to a [b, 1, vocab] buffer; -1: none.
  int64_t headLast = -1;
};

/// One run of an entry: its buffers on the device.
class Run {
public:
  Run(const Entry &e, CudaExecutor::Impl &x, CallShape sym, RunMemory mem)
      : e(e), x(x), sym(sym), mem(std::move(mem)), slots(e.buffers.size()) {
    if (this->mem.preset)
      for (const auto &[id, data] : *this->mem.preset) {
        slots[id].shape = shapeOf(id);
        slots[id].data = data;
        slots[id].ready = true;
      }
    for (int64_t id : e.inputs) {
      Slot &s = slots[id];
      s.shape = shapeOf(id);
      s.ready = true;
      if (e.buffers[id].role == "input_ids")
        continue;  // the embedding reads mem.ids
      auto it = this->mem.bound.find(id);
      if (it == this->mem.bound.end())
        throw RuntimeError("entry '" + e.name + "': the state '" + e.buffers[id].role +
                           "' is not bound");
      // Any storage dtype: a kernel that reads a state as float checks it
      // (inF32); an attention cache follows the activations.
      s.data = it->second;
    }
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

  /// The memory of storage buffer `s` written at the current launch: bound
  /// by the caller, or its arena range (which must be live now).
  void *place(int64_t s, const std::string &what) {
    void *p = nullptr;
    auto it = mem.bound.find(s);
    if (it != mem.bound.end()) {
      p = it->second;
    } else {
      const ArenaPlan &plan = *mem.plan;
      if (plan.offset[s] < 0 || plan.first[s] > at || plan.last[s] < at)
        throw RuntimeError("internal: the arena of entry '" + e.name + "' has no live "
                           "range for buffer " + std::to_string(s) + " at launch #" +
                           std::to_string(at) + " (" + what + ")");
      p = mem.arena + plan.offset[s];
    }
    if (mem.poison) {
      size_t bytes = Tensor::count(shapeOf(s)) * elemSize(dtype(s));
      // All ones: NaN in f32/bf16/f16.
      check(cudaMemsetAsync(p, 0xff, bytes, x.stream), "poisoning " + what);
    }
    return p;
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
    } else if (b.kind == BufferKind::View && columnViewAliases(e, id, sym)) {
      // One row: the columns are contiguous in the source (Arena.h).
      s.data = const_cast<char *>(static_cast<const char *>(in(b.viewOf))) +
               b.columnOffset * elemSize(b.dtype);
    } else if (b.kind == BufferKind::View) {
      const void *src = in(b.viewOf);
      int64_t width = slots[b.viewOf].shape.back();
      cuda::CopyColumnsParams p{src, nullptr, Tensor::count(s.shape) / b.columns, width,
                                b.columnOffset, b.columns};
      s.data = place(id, "view buffer " + std::to_string(id));
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

  /// Input `k` of launch `l`, for a kernel that takes a row stride: where
  /// the arena plans it so (Arena.h readsColumnsInPlace), a column view of
  /// several rows is its source at the view's offset, rows `stride` elements
  /// apart, never copied; anything else is in() with stride 0 (dense).
  const void *inRows(const Launch &l, size_t k, int64_t &stride) {
    stride = 0;
    int64_t id = l.inputs[k];
    int64_t s = storageOf(e, id);
    if (s < 0 || !readsColumnsInPlace(l, k))
      return in(id);
    const Buffer &b = e.buffers[s];
    if (b.kind != BufferKind::View || b.columnOffset < 0 || columnViewAliases(e, s, sym))
      return in(id);
    if (dtype(b.viewOf) != b.dtype)
      throw RuntimeError("plan entry '" + e.name + "': view " + std::to_string(s) + " is " +
                         b.dtype + " of a " + dtype(b.viewOf) + " buffer");
    const char *src = static_cast<const char *>(in(b.viewOf));
    stride = slots[b.viewOf].shape.back();
    return src + b.columnOffset * elemSize(b.dtype);
  }

  void *out(int64_t id) {
    Slot &s = slots[id];
    s.shape = shapeOf(id);
    int64_t storage = storageOf(e, id);
    if (storage < 0)
      throw RuntimeError("plan entry '" + e.name + "': buffer " + std::to_string(id) +
                         " (a weight or an input) is written");
    s.data = storage == id ? place(id, "buffer " + std::to_string(id) + " of entry '" +
                                           e.name + "'")
                           : out(storage);
    s.ready = true;
    return s.data;
  }

  const std::vector<int64_t> &shape(int64_t id) {
    in(id);
    return slots[id].shape;
  }

  /// Synchronises after a launch in the synchronous mode (never while a
  /// graph is captured), so an error names the launch.
  void finished(const std::string &what) {
    if (x.sync && !mem.capturing)
      check(cudaStreamSynchronize(x.stream), "running " + what);
  }

  /// Launches the kernel for `op` with `params`, grid x block.
  template <typename P>
  void launch(const std::string &op, const nlohmann::json &attrs, const DTypes &ins,
              const DTypes &outs, P params, unsigned grid, unsigned block, size_t smem,
              const std::string &where) {
    std::optional<cuda::KernelInstance> k = cuda::kernelFor(op, attrs, ins, outs);
    if (!k)
      throw RuntimeError("the CUDA executor has no kernel for " + op + " with dtypes " +
                         cuda::dtypeSignature(ins, outs) + " (" + where + ")");
    std::string what = "kernel '" + k->name + "' for " + where + " of entry '" + e.name +
                       "' (grid " + std::to_string(grid) + ", block " +
                       std::to_string(block) + ", " + std::to_string(smem) +
                       " bytes of shared memory)";
    if (grid == 0)
      return;  // nothing to do (an empty tensor)
    CUfunction f = x.function(k->name);
    x.allowShared(f, smem, what);
    void *args[] = {&params};
    check(driver().cuLaunchKernel(f, grid, 1, 1, block, 1, 1, static_cast<unsigned>(smem),
                                  x.stream, args, nullptr),
          "launching " + what);
    finished(what);
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
  RunMemory mem;
  std::vector<Slot> slots;
  int64_t at = -1;  ///< the launch being run
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
  // The tiled SSD kernels (quadratic and staged chunked): the geometry of
  // ssdc/ssd_staged_launch.h, shared with the kernel check.
  auto tiled = [&](const cuda::SsdTileLaunch &g, auto params) {
    if (g.error)
      throw RuntimeError(std::string("the CUDA executor cannot run ") + where + ": " + g.error);
    r.launch(op, attrs, ins, outs, params, g.grid, g.block, static_cast<size_t>(g.smemBytes),
             where);
  };

  if (op == "ssd.attention") {  // runtime/cuda/LaunchAttention.cpp
    launchPlanAttention(attrs, ins, outs, {input(0), input(1), input(2), input(3), input(4)},
                        inShape(0), inShape(1), inShape(2),
                        ops.index(3) >= 0 ? inShape(3)[1] : 0,
                        {r.out(l.outputs[0]), r.out(l.outputs[1]), r.out(l.outputs[2])},
                        [&](const std::string &k) { return x.function(k); }, x.stream,
                        x.sync && !r.mem.capturing, where + " of entry '" + r.e.name + "'");
    return;
  }
  if (op == "ssd.embedding") {
    const void *table = r.in(l.inputs[0]);
    std::vector<int64_t> t = r.shape(l.inputs[0]);
    int64_t rows = r.sym.b * r.sym.l;
    for (int64_t i = 0; i < rows; ++i)
      if (ids[i] < 0 || ids[i] >= t[0] || (vocab > 0 && ids[i] >= vocab))
        throw RuntimeError("input id " + std::to_string(ids[i]) + " at position " +
                           std::to_string(i) + " is outside the vocabulary [0, " +
                           std::to_string(t[0]) + ")");
    // The ids are on the device already (uploaded by the session before
    // the launches, outside any graph).
    cuda::EmbeddingParams p{r.mem.ids, table,
                            r.out(l.outputs[0]), rows, t[1], t[0]};
    r.launch1d(op, attrs, ins, outs, p, rows * t[1], where);
    return;
  }
  if (op == "ssd.rmsnorm") {
    const void *xin = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    int64_t zRow = 0;  // z (the in_proj output's first columns) is read in place
    const void *z = l.inputs.size() > 2 ? r.inRows(l, 2, zRow) : nullptr;
    std::vector<int64_t> xs = r.shape(l.inputs[0]);
    int64_t d = xs.back(), rows = Tensor::count(xs) / d;
    int64_t group = attrs.value("group_size", d);
    if (group <= 0 || d % group != 0)
      throw RuntimeError("rmsnorm group_size " + std::to_string(group) +
                         " does not divide " + std::to_string(d) + " (" + where + ")");
    cuda::RmsnormParams p{xin, z, w, r.out(l.outputs[0]), rows, d, group,
                          toFloat(attrs.contains("eps") ? attrNumber(attrs["eps"]) : 1e-5),
                          attrs.value("norm_before_gate", false) ? 1 : 0, zRow};
    cuda::DecodeLaunch g = cuda::rmsnormLaunch(rows, d, group);  // ssdc/decode_launch.h
    if (g.error)
      throw RuntimeError(std::string("the CUDA executor cannot run ") + where + ": " + g.error);
    r.launch(op, attrs, ins, outs, p, g.grid, g.block, g.smemBytes, where);
    return;
  }
  if (op == "ssd.linear") {
    const void *xin = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    std::vector<int64_t> ws = r.shape(l.inputs[1]);
    int64_t n = ws[0], k = ws[1];
    int64_t rows = Tensor::count(r.shape(l.inputs[0])) / k;
    void *o = r.out(l.outputs[0]);
    // cuBLASLt (LtGemm.h): fp32 in fp32, bf16/f16 operands with fp32
    // accumulation; the output in its plan dtype (f32 logits, or the
    // 16-bit activation). A residual operand (ssd-fuse-residual) is the
    // GEMM's C with beta 1.
    const void *residual = input(3);
    if (residual && ins[ops.index(3)] != outs[0])
      throw RuntimeError("the residual of " + where + " is " + ins[ops.index(3)] +
                         ", the output " + outs[0]);
    x.gemm->run(xin, w, o, rows, n, k, ins[0], ins[1], outs[0], x.stream,
                where + " of entry '" + r.e.name + "'", 0, residual);
    r.finished("the GEMM for " + where + " of entry '" + r.e.name + "'");
    if (const void *bias = input(2)) {
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
    // x (the in_proj output's xBC columns) is read in place, rows xRow apart.
    std::vector<int64_t> xs = r.shapeOf(l.inputs[0]), ws = inShape(1);
    int64_t xRow = 0;
    const void *xin = r.inRows(l, 0, xRow);
    cuda::Conv1dParams p{xin, input(1), input(2), inputF32(3, "the conv state"),
                         r.out(l.outputs[0]),
                         l.outputs.size() > 1 ? outF32(1, "the final conv state") : nullptr,
                         xs[0], xs[1], xs[2], ws[1], attrs.value("silu", false) ? 1 : 0, xRow};
    cuda::DecodeLaunch g = cuda::conv1dLaunch(xs[0], xs[1], xs[2]);  // ssdc/decode_launch.h
    r.launch(op, attrs, ins, outs, p, g.grid, g.block, g.smemBytes, where);
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
    if (kind == "chunked") {
      // The fused chunked kernel: its launch header gives the geometry (the
      // kernel reads its head-dim block from gridDim) and refuses shapes it
      // cannot run; the compiler only keeps supported ones whole.
      int q = static_cast<int>(attrs["schedule"].value("chunk_size", int64_t(0)));
      bool tensorCores = ins[0] == "bf16" && ins[3] == "bf16";
      cuda::FusedSsdLaunch g =
          cuda::fusedSsdLaunch(q, static_cast<int>(p.headdim), static_cast<int>(p.dstate),
                               p.batch, p.heads, p.len, tensorCores);
      if (g.error)
        throw RuntimeError(std::string("the fused chunked SSD kernel cannot run ") + where +
                           ": " + g.error);
      r.launch(op, attrs, ins, outs, p, g.grid, g.block, g.smemBytes, where);
      return;
    }
    if (kind == "quadratic") {
      // The tiled quadratic kernel: geometry from ssdc/ssd_staged_launch.h.
      tiled(cuda::ssmQuadraticLaunch(p.batch, p.len, p.heads, p.headdim, p.dstate), p);
      return;
    }
    // The recurrent kernel: geometry from ssdc/decode_launch.h.
    cuda::DecodeLaunch g = cuda::ssmRecurrentLaunch(p.batch, p.heads, p.headdim, p.dstate);
    if (g.error)
      throw RuntimeError(std::string("the CUDA executor cannot run ") + where + ": " + g.error);
    r.launch(op, attrs, ins, outs, p, g.grid, g.block, g.smemBytes, where);
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
    tiled(cuda::chunkCumsumLaunch(q, ds[0], ds[1], ds[2]), p);
    return;
  }
  if (op == "ssd.chunk_state") {
    std::vector<int64_t> ks = r.shape(l.inputs[0]), vs = r.shape(l.inputs[1]);
    int64_t q = attrs.value("chunk_size", int64_t(0));
    cuda::ChunkStateParams p{r.in(l.inputs[0]), r.in(l.inputs[1]),
                             r.inF32(l.inputs[2], "the cumsum of " + where),
                             outF32(0, "the chunk states"), vs[0], vs[1], vs[2], vs[3],
                             ks[2], ks[3]};
    tiled(cuda::chunkStateLaunch(q, vs[0], vs[1], vs[2], vs[3], ks[3]), p);
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
    tiled(cuda::statePassLaunch(ss[0], ss[2], ss[3], ss[4]), p);
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
    tiled(cuda::chunkOutputLaunch(attrs.value("chunk_size", int64_t(0)), vs[0], vs[1], vs[2],
                                  vs[3], qs[3]),
          p);
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

/// The lm_head (`l`, an ssd.linear without bias from x[b, l, k]) for each
/// sequence's last position only: one GEMM of b rows read l·k elements
/// apart, into the [b, 1, vocab] logits buffer the caller bound. A prefill
/// that returns only the last logits skips (l - 1)/l of the head's FLOPs and
/// the [b, l, vocab] f32 buffer (3.3 GB for 2.7b at 8 x 2048).
void runHeadLastPositions(Run &r, const Launch &l, size_t index, CudaExecutor::Impl &x) {
  std::string where = "launch #" + std::to_string(index) + " (" + l.op +
                      (l.layer.empty() ? "" : " in " + l.layer) +
                      ", the last position of each sequence) of entry '" + r.e.name + "'";
  const DTypes ins = r.dtypes(l.inputs), outs = r.dtypes(l.outputs);
  const char *xin = static_cast<const char *>(r.in(l.inputs[0]));
  const void *w = r.in(l.inputs[1]);
  std::vector<int64_t> ws = r.shape(l.inputs[1]);
  int64_t n = ws[0], k = ws[1], b = r.sym.b, len = r.sym.l;
  int64_t id = l.outputs[0];
  void *o = r.mem.bound.at(id);
  x.gemm->run(xin + (len - 1) * k * elemSize(ins[0]), w, o, b, n, k, ins[0], ins[1], outs[0],
              x.stream, where, len * k);
  r.slots[id].data = o;
  r.slots[id].shape = {b, 1, n};
  r.slots[id].ready = true;
  r.finished("the GEMM for " + where);
}

} // namespace

// ---------------------------------------------------------------------------
// Sessions: states resident on the device, arenas per call shape, graphs.

namespace {

/// One state of a session: two device buffers, one read and one written by
/// a call; `cur` says which holds the state now.
struct StateSlot {
  std::string dtype;
  std::vector<int64_t> dims;  ///< per sequence (no batch dim); -1: cache positions
  bool cache = false;         ///< an attention cache (grows with each call)
  void *buf[2] = {nullptr, nullptr};
  int cur = 0;

  int64_t rowElems(int64_t positions) const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d < 0 ? positions : d;
    return n;
  }
};

/// What a session keeps for one call shape (entry, length[, cache length]):
/// the arena, the device ids and NaN/Inf flag, the graphs by state parity.
struct Work {
  ArenaPlan plan;
  void *block = nullptr;  ///< arena, then ids, then the flag[, then last logits]
  void *lastLogits = nullptr;  ///< [b, 1, vocab] when the head runs for last positions
  char *arena = nullptr;
  int64_t *ids = nullptr;
  unsigned *flag = nullptr;
  int64_t eagerRuns = 0;
  std::map<std::string, cudaGraphExec_t> graphs;
  uint64_t lastUse = 0;

  void release() {
    for (auto &[parity, g] : graphs)
      cudaGraphExecDestroy(g);
    graphs.clear();
    if (block)
      cudaFree(block);
    block = nullptr;
  }
};

/// Facts about an entry a session needs on every call, computed once.
struct EntryInfo {
  bool readsCache = false, writesCache = false, arenaDependsOnCache = false;
  int64_t logits = -1;     ///< the logits buffer
  int64_t tableRows = -1;  ///< rows of the embedding table (-1: no embedding)
  std::vector<bool> external;  ///< storages bound to session states (or constants)
  /// Constant launches (constantLaunches()): skipped by every run, their
  /// outputs preset from the executor's constants.
  std::vector<bool> constLaunch;
  std::vector<std::pair<int64_t, std::string>> constOutputs;  ///< buffer, key
  /// The launch writing the logits when it can run for the last positions
  /// only (an ssd.linear without bias from [b, l, k]); -1 otherwise.
  int64_t head = -1;
};

/// The launches of `e` whose results do not depend on the call: elementwise
/// ops whose inputs are weights or results of such launches, with static
/// shapes (Mamba-2's A = -exp(A_log), two launches per layer and call).
/// They run once per executor, not in every prefill and decode step. Marks
/// them in `in` with their outputs' keys (the op, attributes, dtypes and
/// shapes over the inputs' keys, so entries share one copy).
void constantLaunches(const Entry &e, EntryInfo &in) {
  static const std::set<std::string> kElementwise = {
      "ssd.exp", "ssd.neg", "ssd.cast", "ssd.add", "ssd.mul", "ssd.silu", "ssd.softplus",
      "ssd.clamp"};
  std::vector<std::string> key(e.buffers.size());
  auto staticShape = [&](const Buffer &b) {
    std::string text;
    for (const Dim &d : b.shape) {
      if (d.size < 0)
        return std::string();
      text += std::to_string(d.size) + "x";
    }
    return text + b.dtype;
  };
  std::function<std::string(int64_t)> keyOf = [&](int64_t id) -> std::string {
    const Buffer &b = e.buffers[id];
    if (b.kind == BufferKind::Weight)
      return "w:" + b.weightName + "@" + b.dtype;
    if (b.kind == BufferKind::View && b.columnOffset < 0) {
      std::string k = keyOf(b.viewOf), shape = staticShape(b);
      return k.empty() || shape.empty() ? std::string() : k + "~" + shape;
    }
    return key[id];
  };
  in.constLaunch.assign(e.launches.size(), false);
  for (size_t i = 0; i < e.launches.size(); ++i) {
    const Launch &l = e.launches[i];
    if (!kElementwise.count(l.op) || l.inputs.empty())
      continue;
    std::string args;
    bool constant = true;
    for (int64_t id : l.inputs) {
      std::string k = keyOf(id);
      constant &= !k.empty();
      args += k + ",";
    }
    for (int64_t id : l.outputs)
      constant &= storageOf(e, id) == id && e.buffers[id].kind == BufferKind::Activation &&
                  !staticShape(e.buffers[id]).empty() && !in.external[id] &&
                  id != in.logits;
    if (!constant)
      continue;
    in.constLaunch[i] = true;
    for (size_t j = 0; j < l.outputs.size(); ++j) {
      int64_t id = l.outputs[j];
      key[id] = l.op + l.attrs.dump() + "(" + args + ")#" + std::to_string(j) + ":" +
                staticShape(e.buffers[id]);
      in.external[id] = true;
      in.constOutputs.emplace_back(id, key[id]);
    }
  }
}

bool hasCacheDim(const Buffer &b) {
  for (const Dim &d : b.shape)
    if (d.size < 0 && (d.symbol == "s" || d.symbol == "s+l"))
      return true;
  return false;
}

/// A plain device allocation, freed on scope exit.
struct DeviceMemory {
  void *p = nullptr;
  DeviceMemory(size_t bytes, const std::string &what) {
    check(cudaMalloc(&p, std::max<size_t>(bytes, 256)),
          "cudaMalloc(" + std::to_string(bytes) + " bytes) for " + what);
  }
  ~DeviceMemory() { cudaFree(p); }
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;
};

int64_t alignTo(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

/// Enqueues the guard: *flag = 1 if any of the `count` elements at `data`
/// (dtype f32, bf16 or f16) is NaN/Inf, else 0.
void enqueueNonfinite(CudaExecutor::Impl &x, const void *data, int64_t count,
                      const std::string &dtype, unsigned *flag, const std::string &what) {
  check(cudaMemsetAsync(flag, 0, sizeof(unsigned), x.stream), "zeroing the flag of " + what);
  if (count == 0)
    return;
  long long n = count;
  unsigned grid = static_cast<unsigned>(
      std::min<int64_t>(std::max<int64_t>((count / 4 + 255) / 256, 1), 4 * x.smCount));
  if (dtype == "f32") {
    void *args[] = {&data, &n, &flag};
    check(driver().cuLaunchKernel(x.nonfinite32, grid, 1, 1, 256, 1, 1, 0, x.stream, args,
                                  nullptr),
          "launching the NaN/Inf check of " + what);
  } else {
    unsigned mask = dtype == "bf16" ? 0x7f80u : dtype == "f16" ? 0x7c00u : 0u;
    if (!mask)
      return;  // integers: always finite
    void *args[] = {&data, &n, &mask, &flag};
    check(driver().cuLaunchKernel(x.nonfinite16, grid, 1, 1, 256, 1, 1, 0, x.stream, args,
                                  nullptr),
          "launching the NaN/Inf check of " + what);
  }
}

} // namespace

struct CudaSession::Impl {
  CudaExecutor::Impl &x;
  int64_t batch = 1, capacity = 0, cached = 0;
  std::map<std::string, StateSlot> slots;
  std::map<std::tuple<std::string, int64_t, int64_t>, Work> works;
  std::map<const Entry *, EntryInfo> infos;
  /// Per entry, its constants' buffers once computed (constants()).
  std::map<const Entry *, std::map<int64_t, void *>> presets;
  uint64_t clock = 0;
  int64_t captured = 0, replays = 0;
  /// At most this many call shapes keep an arena; the least recently used
  /// one is freed first (a generation uses two: its prefill and decode).
  static constexpr size_t kMaxWorks = 8;

  Impl(CudaExecutor::Impl &x, int64_t batch, int64_t capacity)
      : x(x), batch(batch), capacity(capacity) {}

  ~Impl() {
    for (auto &[key, w] : works)
      w.release();
    for (auto &[name, s] : slots)
      for (void *p : s.buf)
        cudaFree(p);
  }

  void allocate(StateSlot &s, const std::string &name) {
    size_t bytes = static_cast<size_t>(batch * s.rowElems(capacity)) * elemSize(s.dtype);
    for (void *&p : s.buf) {
      check(cudaMalloc(&p, std::max<size_t>(bytes, 256)),
            "cudaMalloc(" + std::to_string(bytes) + " bytes) for the state '" + name + "'");
      check(cudaMemsetAsync(p, 0xff, bytes, x.stream), "poisoning the state '" + name + "'");
    }
  }

  /// The slot of state `role`, which buffer `b` of an entry holds (an
  /// input names its role, an output buffer does not: the entry's output
  /// list does); created on first sight.
  StateSlot &slotFor(const Entry &e, const Buffer &b, const std::string &role) {
    StateSlot want;
    want.dtype = b.dtype;
    if (b.shape.empty() || b.shape[0].symbol != "b")
      throw RuntimeError("entry '" + e.name + "': the state '" + role +
                         "' is not [b, ...]; a session cannot hold it");
    for (size_t i = 1; i < b.shape.size(); ++i) {
      const Dim &d = b.shape[i];
      if (d.size >= 0) {
        want.dims.push_back(d.size);
      } else if (d.symbol == "s" || d.symbol == "s+l" || d.symbol == "l") {
        want.dims.push_back(-1);  // l: a prefill's attention cache (s = 0)
        want.cache = true;
      } else {
        throw RuntimeError("entry '" + e.name + "': the state '" + role +
                           "' has a dimension '" + d.symbol + "' a session cannot hold");
      }
    }
    auto it = slots.find(role);
    if (it != slots.end()) {
      if (it->second.dtype != want.dtype || it->second.dims != want.dims)
        throw RuntimeError("entry '" + e.name + "': the state '" + role +
                           "' differs in shape or dtype from the one the session holds");
      return it->second;
    }
    StateSlot &s = slots.emplace(role, want).first->second;
    allocate(s, role);
    return s;
  }

  /// Room for `positions` in every attention cache (contents are lost).
  void reserve(int64_t positions) {
    if (positions <= capacity)
      return;
    capacity = std::max(positions, 2 * capacity);
    for (auto &[key, w] : works) {  // graphs point at the old buffers
      for (auto &[parity, g] : w.graphs)
        cudaGraphExecDestroy(g);
      w.graphs.clear();
    }
    for (auto &[name, s] : slots)
      if (s.cache) {
        for (void *&p : s.buf) {
          cudaFree(p);
          p = nullptr;
        }
        allocate(s, name);
      }
    cached = 0;
  }

  const EntryInfo &info(const Entry &e) {
    auto it = infos.find(&e);
    if (it != infos.end())
      return it->second;
    EntryInfo in;
    in.external.assign(e.buffers.size(), false);
    std::set<std::string> written;
    for (const EntryOutput &o : e.outputs) {
      if (o.role == "logits") {
        in.logits = o.buffer;
        continue;
      }
      written.insert(o.role);
      in.writesCache |= hasCacheDim(e.buffers[o.buffer]);
      for (const Dim &d : e.buffers[o.buffer].shape)  // a prefill's cache: [b, l, ...]
        in.writesCache |= d.size < 0 && d.symbol == "l";
      int64_t s = storageOf(e, o.buffer);
      if (s < 0 || s != o.buffer)
        throw RuntimeError("entry '" + e.name + "': the state output '" + o.role +
                           "' is not a buffer of its own; a session cannot bind it");
      in.external[s] = true;
    }
    if (in.logits < 0)
      throw RuntimeError("entry '" + e.name + "' returns no logits");
    for (int64_t id : e.inputs) {
      const Buffer &b = e.buffers[id];
      if (b.role == "input_ids")
        continue;
      in.readsCache |= hasCacheDim(b);
      if (!written.count(b.role))
        throw RuntimeError("entry '" + e.name + "' reads the state '" + b.role +
                           "' but does not return it; a session needs every state back");
    }
    constantLaunches(e, in);
    for (size_t i = 0; i < e.launches.size(); ++i) {
      const Launch &l = e.launches[i];
      if (l.op == "ssd.linear" && l.inputs.size() == 2 && l.outputs.size() == 1 &&
          l.outputs[0] == in.logits && e.buffers[l.inputs[0]].shape.size() == 3 &&
          e.buffers[in.logits].shape.size() == 3)
        in.head = static_cast<int64_t>(i);
    }
    for (size_t id = 0; id < e.buffers.size(); ++id) {
      const Buffer &b = e.buffers[id];
      bool arenaBuffer = (b.kind == BufferKind::Activation ||
                          (b.kind == BufferKind::View && b.columnOffset >= 0)) &&
                         !in.external[id];
      in.arenaDependsOnCache |= arenaBuffer && hasCacheDim(b);
    }
    for (const Launch &l : e.launches)
      if (l.op == "ssd.embedding" && !l.inputs.empty()) {
        const Buffer &t = e.buffers[l.inputs[0]];
        if (!t.shape.empty() && t.shape[0].size >= 0)
          in.tableRows = t.shape[0].size;
      }
    return infos.emplace(&e, std::move(in)).first->second;
  }

  Work &work(const Entry &e, const EntryInfo &in, const CallShape &sym, bool headLast) {
    auto key = std::make_tuple(e.name + (headLast ? "#last" : ""), sym.l,
                               in.arenaDependsOnCache ? sym.s : -1);
    auto it = works.find(key);
    if (it != works.end()) {
      it->second.lastUse = ++clock;
      return it->second;
    }
    if (works.size() >= kMaxWorks) {
      auto oldest = works.begin();
      for (auto i = works.begin(); i != works.end(); ++i)
        if (i->second.lastUse < oldest->second.lastUse)
          oldest = i;
      oldest->second.release();
      works.erase(oldest);
    }
    Work w;
    std::vector<bool> external = in.external;
    if (headLast)
      external[in.logits] = true;  // lastLogits instead
    w.plan = planArena(e, sym, external, true);
    int64_t idsAt = alignTo(w.plan.total, ArenaPlan::kAlign);
    int64_t flagAt = alignTo(idsAt + sym.b * sym.l * 8, ArenaPlan::kAlign);
    int64_t lastAt = flagAt + ArenaPlan::kAlign;
    const Buffer &logits = e.buffers[in.logits];
    int64_t lastBytes = headLast ? sym.b * sym.shapeOf(logits).back() * elemSize(logits.dtype)
                                 : 0;
    std::string what = "the arena of entry '" + e.name + "' (batch " +
                       std::to_string(sym.b) + ", length " + std::to_string(sym.l) + ")";
    check(cudaMalloc(&w.block, lastAt + lastBytes),
          "cudaMalloc(" + std::to_string(lastAt + lastBytes) + " bytes) for " + what);
    w.arena = static_cast<char *>(w.block);
    w.ids = reinterpret_cast<int64_t *>(w.arena + idsAt);
    w.flag = reinterpret_cast<unsigned *>(w.arena + flagAt);
    if (headLast) {
      w.lastLogits = w.arena + lastAt;
      check(cudaMemsetAsync(w.lastLogits, 0xff, lastBytes, x.stream), "poisoning " + what);
    }
    // Poisoned once: in the asynchronous mode and in graphs the outputs are
    // not refilled before each launch.
    check(cudaMemsetAsync(w.block, 0xff, flagAt, x.stream), "poisoning " + what);
    w.lastUse = ++clock;
    return works.emplace(key, std::move(w)).first->second;
  }

  void checkIds(const std::vector<int64_t> &ids, const EntryInfo &in) {
    for (size_t i = 0; i < ids.size(); ++i) {
      int64_t id = ids[i];
      int64_t limit = in.tableRows >= 0 ? in.tableRows : std::numeric_limits<int64_t>::max();
      if (x.vocab > 0)
        limit = std::min(limit, x.vocab);
      if (id < 0 || id >= limit)
        throw RuntimeError("input id " + std::to_string(id) + " at position " +
                           std::to_string(i) + " is outside the vocabulary [0, " +
                           std::to_string(limit) + ")");
    }
  }

  /// The constants of `e` (its constant launches' outputs), computed on
  /// first sight -- each missing one by its launch, into memory of the
  /// executor's own -- and returned as the preset buffers of a run, kept
  /// per entry (the executor never frees a constant). Never called while a
  /// graph is captured: an entry's first call is eager.
  const std::map<int64_t, void *> &constants(const Entry &e, const EntryInfo &in,
                                             const CallShape &sym,
                                             const std::map<int64_t, void *> &bound) {
    if (auto known = presets.find(&e); known != presets.end())
      return known->second;
    std::map<int64_t, void *> preset;
    std::map<int64_t, std::string> keyOf(in.constOutputs.begin(), in.constOutputs.end());
    bool computed = false;
    for (size_t i = 0; i < e.launches.size(); ++i) {
      if (!in.constLaunch[i])
        continue;
      const Launch &l = e.launches[i];
      bool have = true;
      for (int64_t id : l.outputs)
        have &= x.constants.count(keyOf.at(id)) > 0;
      if (!have) {
        RunMemory mem{nullptr, nullptr, bound, nullptr, x.sync, false, &preset};
        for (int64_t id : l.outputs) {
          size_t bytes = static_cast<size_t>(Tensor::count(sym.shapeOf(e.buffers[id]))) *
                         elemSize(e.buffers[id].dtype);
          void *p = nullptr;
          check(cudaMalloc(&p, std::max<size_t>(bytes, 256)),
                "cudaMalloc(" + std::to_string(bytes) + " bytes) for a constant of entry '" +
                    e.name + "'");
          x.allocations.push_back(p);
          x.constants[keyOf.at(id)] = p;
          mem.bound[id] = p;
        }
        Run r(e, x, sym, mem);
        r.at = static_cast<int64_t>(i);
        runLaunch(r, l, i, x, x.vocab, {});
        computed = true;
      }
      for (int64_t id : l.outputs)
        preset[id] = x.constants.at(keyOf.at(id));
    }
    if (computed)
      check(cudaStreamSynchronize(x.stream),
            "computing the constants of entry '" + e.name + "' (weights only)");
    return presets.emplace(&e, std::move(preset)).first->second;
  }

  /// The entry's launches, then the guard on its logits, on the stream.
  void enqueue(const Entry &e, const CallShape &sym, const RunMemory &mem,
               const std::vector<int64_t> &ids, const EntryInfo &in, unsigned *flag) {
    Run r(e, x, sym, mem);
    for (size_t i = 0; i < e.launches.size(); ++i) {
      if (in.constLaunch[i])
        continue;
      r.at = static_cast<int64_t>(i);
      if (static_cast<int64_t>(i) == mem.headLast)
        runHeadLastPositions(r, e.launches[i], i, x);
      else
        runLaunch(r, e.launches[i], i, x, x.vocab, ids);
    }
    enqueueNonfinite(x, r.in(in.logits), Tensor::count(r.shape(in.logits)),
                     r.dtype(in.logits), flag, "the logits of entry '" + e.name + "'");
  }

  /// After non-finite logits: runs the entry again launch by launch (own
  /// memory for every buffer, synchronised) and names the first launch whose
  /// output holds NaN/Inf.
  [[noreturn]] void diagnose(const Entry &e, const CallShape &sym,
                             const std::map<int64_t, void *> &bound,
                             const std::vector<int64_t> &ids, const EntryInfo &in) {
    ArenaPlan plan = planArena(e, sym, in.external, false);
    int64_t idsAt = alignTo(plan.total, ArenaPlan::kAlign);
    int64_t flagAt = alignTo(idsAt + sym.b * sym.l * 8, ArenaPlan::kAlign);
    DeviceMemory block(flagAt + ArenaPlan::kAlign, "the diagnosis of entry '" + e.name + "'");
    char *base = static_cast<char *>(block.p);
    auto *flag = reinterpret_cast<unsigned *>(base + flagAt);
    RunMemory mem{base, &plan, bound, reinterpret_cast<int64_t *>(base + idsAt), true, false,
                  &constants(e, in, sym, bound)};
    check(cudaMemcpyAsync(base + idsAt, ids.data(), ids.size() * sizeof(int64_t),
                          cudaMemcpyHostToDevice, x.stream),
          "uploading the token ids");
    struct SyncMode {
      bool &flag, saved;
      ~SyncMode() { flag = saved; }
    } restore{x.sync, x.sync};
    x.sync = true;
    Run r(e, x, sym, mem);
    for (size_t i = 0; i < e.launches.size(); ++i) {
      const Launch &l = e.launches[i];
      r.at = static_cast<int64_t>(i);
      if (!in.constLaunch[i])  // a constant's values are checked where they are
        runLaunch(r, l, i, x, x.vocab, ids);
      for (int64_t out : l.outputs) {
        std::string what = "the output of launch #" + std::to_string(i);
        enqueueNonfinite(x, r.in(out), Tensor::count(r.shape(out)), r.dtype(out), flag, what);
        unsigned bad = 0;
        check(cudaMemcpyAsync(&bad, flag, sizeof(bad), cudaMemcpyDeviceToHost, x.stream),
              "reading the NaN/Inf flag of " + what);
        check(cudaStreamSynchronize(x.stream), "checking " + what);
        if (bad)
          throw RuntimeError("non-finite values (NaN/Inf) first appear in the output of '" +
                             l.kernel + "'" + (l.layer.empty() ? "" : " in " + l.layer) +
                             " (launch #" + std::to_string(i) + ", entry " + e.name +
                             "); check the weights with --check-weights");
      }
    }
    throw RuntimeError("the logits hold NaN/Inf (entry " + e.name +
                       "), but no launch's output does when the entry runs again "
                       "launch by launch");
  }

  Tensor run(const Entry &e, const std::vector<int64_t> &ids, int64_t length,
             const SessionRun &how) {
    const EntryInfo &in = info(e);
    CallShape sym;
    sym.b = batch;
    sym.l = length;
    sym.s = in.readsCache ? cached : 0;
    checkTokenCount(ids, sym);
    checkIds(ids, in);
    if (in.writesCache && sym.s + length > capacity)
      throw RuntimeError("entry '" + e.name + "' needs " + std::to_string(sym.s + length) +
                         " positions in the attention caches; this session holds " +
                         std::to_string(capacity) + " (open it with a larger capacity)");
    // States: read from buf[cur], written to buf[1 - cur].
    std::map<int64_t, void *> bound;
    std::string parity;
    for (int64_t id : e.inputs) {
      const Buffer &b = e.buffers[id];
      if (b.role == "input_ids")
        continue;
      auto it = slots.find(b.role);
      if (it == slots.end())
        throw RuntimeError("entry '" + e.name + "' reads the state '" + b.role +
                           "', which this session does not hold (run a prefill first)");
      slotFor(e, b, b.role);  // checks shape and dtype
      bound[id] = it->second.buf[it->second.cur];
      parity += char('0' + it->second.cur);
    }
    std::vector<StateSlot *> written;
    for (const EntryOutput &o : e.outputs) {
      if (o.role == "logits")
        continue;
      StateSlot &s = slotFor(e, e.buffers[o.buffer], o.role);
      bound[o.buffer] = s.buf[1 - s.cur];
      parity += char('0' + (1 - s.cur));
      written.push_back(&s);
    }
    // A prefill asked for the last logits runs the head for those only.
    bool headLast = how.lastOnly && sym.l > 1 && in.head >= 0;
    Work &w = work(e, in, sym, headLast);
    check(cudaMemcpyAsync(w.ids, ids.data(), ids.size() * sizeof(int64_t),
                          cudaMemcpyHostToDevice, x.stream),
          "uploading the token ids");
    RunMemory mem{w.arena, &w.plan, bound, w.ids, x.sync, false,
                  &constants(e, in, sym, bound)};
    if (headLast) {
      mem.bound[in.logits] = w.lastLogits;
      mem.headLast = in.head;
    }
    bool graphable = how.graph && x.graphs && !in.readsCache && !in.writesCache &&
                     !in.arenaDependsOnCache;
    auto g = w.graphs.find(parity);
    std::string mode = "eagerly";
    if (graphable && g != w.graphs.end()) {
      check(cudaGraphLaunch(g->second, x.stream), "launching the CUDA graph of entry '" +
                                                      e.name + "'");
      ++replays;
      mode = "as a CUDA graph replay";
    } else if (graphable && w.eagerRuns > 0) {
      // Captured once its launches have run eagerly (checked), replayed
      // from now on with the same buffers.
      mem.poison = false;
      mem.capturing = true;
      check(cudaStreamBeginCapture(x.stream, cudaStreamCaptureModeThreadLocal),
            "beginning the CUDA graph capture of entry '" + e.name + "'");
      cudaGraph_t graph = nullptr;
      try {
        enqueue(e, sym, mem, ids, in, w.flag);
      } catch (...) {
        cudaStreamEndCapture(x.stream, &graph);
        if (graph)
          cudaGraphDestroy(graph);
        throw;
      }
      check(cudaStreamEndCapture(x.stream, &graph),
            "ending the CUDA graph capture of entry '" + e.name + "'");
      cudaGraphExec_t exec = nullptr;
      cudaError_t made = cudaGraphInstantiate(&exec, graph, 0);
      cudaGraphDestroy(graph);
      check(made, "instantiating the CUDA graph of entry '" + e.name + "'");
      w.graphs[parity] = exec;
      ++captured;
      check(cudaGraphLaunch(exec, x.stream),
            "launching the CUDA graph of entry '" + e.name + "'");
      ++replays;
      mode = "as a CUDA graph replay";
    } else {
      enqueue(e, sym, mem, ids, in, w.flag);
      ++w.eagerRuns;
    }

    // Logits (all positions, or each sequence's last) and the flag back.
    std::vector<int64_t> ls = sym.shapeOf(e.buffers[in.logits]);
    int64_t vocab = ls.back();
    int64_t positions = Tensor::count(ls) / (batch * vocab);
    const std::string &dt = e.buffers[in.logits].dtype;
    size_t es = elemSize(dt);
    Tensor logits;
    logits.shape = {batch, how.lastOnly ? 1 : positions, vocab};
    logits.data.resize(Tensor::count(logits.shape));
    std::vector<unsigned char> bytes(logits.data.size() * es);
    void *host = dt == "f32" ? static_cast<void *>(logits.data.data()) : bytes.data();
    const char *src = headLast ? static_cast<const char *>(w.lastLogits)
                               : w.arena + w.plan.offset[in.logits];
    if (how.lastOnly && !headLast)
      check(cudaMemcpy2DAsync(host, vocab * es, src + (positions - 1) * vocab * es,
                              positions * vocab * es, vocab * es, batch,
                              cudaMemcpyDeviceToHost, x.stream),
            "copying the last logits of entry '" + e.name + "' to the host");
    else
      check(cudaMemcpyAsync(host, src, logits.data.size() * es, cudaMemcpyDeviceToHost,
                            x.stream),
            "copying the logits of entry '" + e.name + "' to the host");
    unsigned bad = 0;
    check(cudaMemcpyAsync(&bad, w.flag, sizeof(bad), cudaMemcpyDeviceToHost, x.stream),
          "reading the NaN/Inf flag of entry '" + e.name + "'");
    check(cudaStreamSynchronize(x.stream),
          "running entry '" + e.name + "' " + mode + " (batch " + std::to_string(batch) +
              ", length " + std::to_string(length) + ")" +
              (x.sync ? "" : "; run with SSDC_CUDA_SYNC=1 to name the launch"));
    if (dt != "f32")
      decode(bytes.data(), static_cast<int64_t>(logits.data.size()), dt, logits.data.data());
    bool finite = !bad;
    for (float v : logits.data)
      finite &= std::isfinite(v);
    if (!finite)
      diagnose(e, sym, bound, ids, in);
    for (StateSlot *s : written)
      s->cur = 1 - s->cur;
    if (in.writesCache)
      cached = sym.s + length;
    return logits;
  }
};

CudaSession::CudaSession(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
CudaSession::~CudaSession() = default;
int64_t CudaSession::batch() const { return impl->batch; }
int64_t CudaSession::capacity() const { return impl->capacity; }
int64_t CudaSession::cached() const { return impl->cached; }
int64_t CudaSession::graphsCaptured() const { return impl->captured; }
int64_t CudaSession::graphReplays() const { return impl->replays; }

Tensor CudaSession::run(const Entry &entry, const std::vector<int64_t> &ids,
                        int64_t length, const SessionRun &how) {
  return impl->run(entry, ids, length, how);
}

void CudaSession::copyRow(int64_t row, const CudaSession &single) {
  Impl &x = *impl;
  const Impl &src = *single.impl;
  if (row < 0 || row >= x.batch)
    throw RuntimeError("copyRow: row " + std::to_string(row) + " of a batch of " +
                       std::to_string(x.batch));
  if (src.batch != 1)
    throw RuntimeError("copyRow: the source session has batch " + std::to_string(src.batch));
  bool anyCache = false;
  for (const auto &[name, s] : src.slots)
    anyCache |= s.cache;
  if (anyCache) {
    if (row > 0 && x.cached != src.cached)
      throw RuntimeError("sequence " + std::to_string(row) + " holds " +
                         std::to_string(src.cached) + " cached positions, the batch " +
                         std::to_string(x.cached) + " (attention caches grow with the "
                         "prompt): batch prompts of one length for models with "
                         "attention layers");
    if (src.cached > x.capacity)
      throw RuntimeError("copyRow: " + std::to_string(src.cached) +
                         " cached positions do not fit a capacity of " +
                         std::to_string(x.capacity));
    x.cached = src.cached;
  }
  for (const auto &[name, s] : src.slots) {
    auto it = x.slots.find(name);
    if (it == x.slots.end()) {
      StateSlot fresh;
      fresh.dtype = s.dtype;
      fresh.dims = s.dims;
      fresh.cache = s.cache;
      it = x.slots.emplace(name, fresh).first;
      x.allocate(it->second, name);
    }
    StateSlot &d = it->second;
    if (d.dtype != s.dtype || d.dims != s.dims)
      throw RuntimeError("copyRow: the state '" + name + "' differs between the sessions");
    size_t bytes = static_cast<size_t>(s.rowElems(src.cached)) * elemSize(s.dtype);
    check(cudaMemcpyAsync(static_cast<char *>(d.buf[d.cur]) + row * bytes, s.buf[s.cur],
                          bytes, cudaMemcpyDeviceToDevice, x.x.stream),
          "copying the state '" + name + "' into row " + std::to_string(row));
  }
  check(cudaStreamSynchronize(x.x.stream), "copying states into row " + std::to_string(row));
}

void CudaSession::setStates(const Entry &entry, const std::map<std::string, Tensor> &states) {
  Impl &x = *impl;
  CallShape sym;
  sym.b = x.batch;
  sym.s = cacheLength(entry, states);
  if (sym.s > x.capacity)
    throw RuntimeError("the states hold " + std::to_string(sym.s) +
                       " cached positions; this session holds " +
                       std::to_string(x.capacity));
  for (int64_t id : entry.inputs) {
    const Buffer &b = entry.buffers[id];
    if (b.role == "input_ids")
      continue;
    // Each state is stored in its plan dtype: SSM and conv states are f32
    // by the IR's numerics policy (the kernels check that at launch), an
    // attention cache follows the activations (bf16 in a bf16 plan). The
    // host tensors are f32; encode() rounds to nearest even.
    const Tensor &t = requireState(entry, b, states, sym);
    StateSlot &s = x.slotFor(entry, b, b.role);
    std::vector<unsigned char> bytes = encode(t.data.data(), t.numel(), s.dtype);
    check(cudaMemcpyAsync(s.buf[s.cur], bytes.data(), bytes.size(), cudaMemcpyHostToDevice,
                          x.x.stream),
          "uploading the state '" + b.role + "'");
    check(cudaStreamSynchronize(x.x.stream), "uploading the state '" + b.role + "'");
  }
  x.cached = sym.s;
}

std::map<std::string, Tensor> CudaSession::states(const std::vector<std::string> &names) const {
  const Impl &x = *impl;
  std::map<std::string, Tensor> out;
  for (const std::string &name : names) {
    auto it = x.slots.find(name);
    if (it == x.slots.end())
      throw RuntimeError("the session holds no state '" + name + "'");
    const StateSlot &s = it->second;
    Tensor t;
    t.shape = {x.batch};
    for (int64_t d : s.dims)
      t.shape.push_back(d < 0 ? x.cached : d);
    t.data.resize(t.numel());
    std::vector<unsigned char> bytes(t.data.size() * elemSize(s.dtype));
    check(cudaMemcpyAsync(bytes.data(), s.buf[s.cur], bytes.size(), cudaMemcpyDeviceToHost,
                          x.x.stream),
          "copying the state '" + name + "' to the host");
    check(cudaStreamSynchronize(x.x.stream), "copying the state '" + name + "' to the host");
    decode(bytes.data(), t.numel(), s.dtype, t.data.data());
    out[name] = std::move(t);
  }
  return out;
}

std::unique_ptr<CudaSession> CudaExecutor::openSession(int64_t batch, int64_t capacity) {
  if (batch < 1 || capacity < 0)
    throw RuntimeError("a session needs batch >= 1 and capacity >= 0, got " +
                       std::to_string(batch) + " and " + std::to_string(capacity));
  return std::unique_ptr<CudaSession>(
      new CudaSession(std::make_unique<CudaSession::Impl>(*impl, batch, capacity)));
}

void CudaExecutor::setVocab(int64_t v) { impl->vocab = v; }
int64_t CudaExecutor::constantCount() const {
  return static_cast<int64_t>(impl->constants.size());
}
void CudaExecutor::setSynchronous(bool on) { impl->sync = on; }
bool CudaExecutor::synchronous() const { return impl->sync; }

RunResult CudaExecutor::run(const Entry &entry, const std::vector<int64_t> &ids,
                            int64_t batch, int64_t length,
                            const std::map<std::string, Tensor> &states) {
  CallShape sym;
  sym.b = batch;
  sym.l = length;
  sym.s = cacheLength(entry, states);
  checkTokenCount(ids, sym);
  // A session of this batch size holds the states for the call: uploaded,
  // run, copied back.
  std::unique_ptr<CudaSession> &session = impl->scratch[batch];
  if (!session)
    session = openSession(batch, sym.s + length);
  session->impl->reserve(sym.s + length);
  session->setStates(entry, states);
  RunResult result;
  result.logits = session->run(entry, ids, length);
  std::vector<std::string> names;
  for (const EntryOutput &o : entry.outputs)
    if (o.role != "logits")
      names.push_back(o.role);
  result.states = session->states(names);
  return result;
}

} // namespace ssdc::rt
