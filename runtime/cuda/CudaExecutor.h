// Runs one entry function of a plan on an NVIDIA GPU: the same Plan the CPU
// executor runs, with the artifact's generated kernels (kernels.fatbin,
// loaded with the driver API and launched by name), cuBLASLt for the dense
// projections (fp32 GEMMs in fp32; bf16/f16 operands with fp32
// accumulation), weights uploaded once at construction in the plan's
// storage dtypes. No MLIR, no compiler.
//
// Two ways to run an entry (docs/gpu_runtime.md):
// - run(): states in from the host, logits and final states back to the
//   host (eval, tests, the CPU executor's contract);
// - a CudaSession: the states (and attention KV caches) stay on the device
//   between calls, only logits come back; decode steps can replay a CUDA
//   graph captured once per batch size.
// Activation memory comes from an arena planned once per (entry, batch,
// length) and reused: no cudaMalloc per run. Every CUDA call is checked;
// errors name the kernel, the launch and the entry, and non-finite logits
// stop the run with the launch where NaN/Inf first appeared.
#ifndef SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H
#define SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H

#include "runtime/core/Plan.h"
#include "runtime/core/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssdc::rt {

struct RunResult;
class CudaSession;

/// One weight as it is uploaded: f32 host data of `count` elements, stored
/// on the device as `dtype` ("f32", "bf16" or "f16": the plan buffer's
/// dtype; rounded to nearest even). A weight the plan uses in two dtypes is
/// listed twice.
struct HostWeight {
  std::string name;
  const float *data = nullptr;
  int64_t count = 0;
  std::string dtype = "f32";
};

class CudaExecutor {
public:
  /// Loads `fatbinPath` (the artifact's kernels.fatbin) on device 0 and
  /// uploads every weight once.
  CudaExecutor(const std::string &fatbinPath, const std::vector<HostWeight> &weights);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor &) = delete;
  CudaExecutor &operator=(const CudaExecutor &) = delete;

  /// Same contract as CpuExecutor::run: token ids [b, l], states by name
  /// (host, f32); returns logits and the final states on the host (as f32,
  /// whatever their device dtype).
  RunResult run(const Entry &entry, const std::vector<int64_t> &ids,
                int64_t batch, int64_t length,
                const std::map<std::string, Tensor> &states);

  /// Device-resident states for `batch` sequences; each attention cache
  /// holds up to `capacity` positions per sequence (allocated up front: a
  /// generation needs prompt length + new tokens). The session must not
  /// outlive this executor.
  std::unique_ptr<CudaSession> openSession(int64_t batch, int64_t capacity);

  /// The vocabulary size token ids are checked against (0 = unchecked).
  void setVocab(int64_t v);

  /// Synchronise after every launch (off by default; SSDC_CUDA_SYNC=1 turns
  /// it on), so an error names the launch that caused it; in this mode every
  /// output buffer is also filled with NaN before its launch writes it.
  void setSynchronous(bool on);
  bool synchronous() const;

  /// The device's name, for reports.
  std::string deviceName() const;

  /// How many constants (outputs of launches that read weights only, such
  /// as Mamba-2's A = -exp(A_log)) have been computed; they run once, not
  /// in every call.
  int64_t constantCount() const;

  struct Impl;

private:
  std::unique_ptr<Impl> impl;
};

/// How a session runs an entry.
struct SessionRun {
  /// Return only each sequence's last position: logits [batch, 1, vocab].
  bool lastOnly = false;
  /// Replay a CUDA graph of the entry's launches: captured at the second
  /// call of one (entry, length) and state parity, replayed after that.
  /// Entries whose shapes depend on the attention cache length run eagerly.
  /// SSDC_CUDA_GRAPH=0 turns graphs off.
  bool graph = false;
};

/// States of `batch` sequences kept on the device between calls: each state
/// has two device buffers, one read and one written by a call (they swap
/// after it), so no state is copied, to the host or on the device.
class CudaSession {
public:
  ~CudaSession();
  CudaSession(const CudaSession &) = delete;
  CudaSession &operator=(const CudaSession &) = delete;

  int64_t batch() const;
  /// Positions each attention cache can hold.
  int64_t capacity() const;
  /// Positions the attention caches hold now (0 for a model without).
  int64_t cached() const;

  /// Runs `entry` on ids [batch, length] with the session's states (an entry
  /// without state inputs, a prefill, starts from none) and keeps the
  /// entry's final states. Returns logits [batch, length, vocab], or
  /// [batch, 1, vocab] with `how.lastOnly`.
  Tensor run(const Entry &entry, const std::vector<int64_t> &ids, int64_t length,
             const SessionRun &how = {});

  /// Copies the states of `single`, a session of batch 1, into sequence
  /// `row` of this one (device to device). Attention caches must hold as
  /// many positions in every row.
  void copyRow(int64_t row, const CudaSession &single);

  /// Replaces the states `entry` reads with host ones (f32, by name, shapes
  /// as the entry's inputs; caches [batch, s, ...] set cached() to s).
  void setStates(const Entry &entry, const std::map<std::string, Tensor> &states);
  /// The states named, copied to the host as f32.
  std::map<std::string, Tensor> states(const std::vector<std::string> &names) const;

  /// CUDA graphs captured and replays done so far (reports and tests).
  int64_t graphsCaptured() const;
  int64_t graphReplays() const;

  struct Impl;

private:
  friend class CudaExecutor;
  explicit CudaSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_CUDAEXECUTOR_H
