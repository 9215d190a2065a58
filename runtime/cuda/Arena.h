// The activation memory of one call shape (entry, batch, length) of a plan
// entry, planned once: every buffer the entry writes gets a byte range of
// one device block, and buffers whose live ranges do not overlap share
// bytes. A live range is the launches [first write, last read] in plan
// order, inclusive at both ends (a launch's inputs and outputs never share
// bytes); the entry's outputs live to the end. Weights, the entry's inputs
// and buffers the caller binds itself (a session's states) are not in the
// arena; a reshape view uses its source's range; a column view (a copy made
// before the launch that first reads it) has its own, unless it is one row
// (columnViewAliases: then it is its source's memory at an offset, and its
// reads keep the source alive). Plain C++: no CUDA.
#ifndef SSDC_RUNTIME_CUDA_ARENA_H
#define SSDC_RUNTIME_CUDA_ARENA_H

#include "runtime/core/CallShape.h"
#include "runtime/core/Plan.h"

#include <cstdint>
#include <vector>

namespace ssdc::rt {

struct ArenaPlan {
  /// Every range starts at a multiple of this (cuBLASLt and vector loads
  /// want aligned operands).
  static constexpr int64_t kAlign = 256;
  std::vector<int64_t> offset;  ///< per buffer id: byte offset, -1 = not in the arena
  std::vector<int64_t> bytes;   ///< per buffer id: bytes of its range (0 if none)
  std::vector<int64_t> first, last;  ///< per buffer id: live launches (-1 if none)
  int64_t total = 0;            ///< bytes of the block
  int64_t unshared = 0;         ///< what one range per buffer would take
  bool dependsOnCache = false;  ///< a planned buffer's shape depends on s
};

/// The buffer whose memory `id` uses: itself, or the source of a reshape
/// view (followed to the end); -1 for weights and the entry's inputs.
int64_t storageOf(const Entry &entry, int64_t id);

/// Bytes per element of a plan dtype ("f32", "bf16", "f16", "i64").
int64_t dtypeBytes(const std::string &dtype);

/// Whether column view `id` is read in place at `call` instead of copied:
/// one row (batch · length = 1, a batch-1 decode step: the in_proj and conv
/// outputs' [z | xBC | dt] and [x | B | C] splits), the source's dtype, and
/// an offset of whole 16-byte units (the kernels' vector loads).
bool columnViewAliases(const Entry &entry, int64_t id, const CallShape &call);

/// Whether input `input` of `l` is read in place when it is a column view
/// (the kernel takes a row stride): conv1d's x (the in_proj output's xBC)
/// and the gated norm's gate (its z). The view then has no range and its
/// source lives to that launch.
bool readsColumnsInPlace(const Launch &l, size_t input);

/// Plans the arena of `entry` at `call`. `external[id]` (indexed by buffer
/// id; may be empty) marks storage buffers bound outside the arena. With
/// `share` false every buffer gets its own range (for diagnosis runs).
ArenaPlan planArena(const Entry &entry, const CallShape &call,
                    const std::vector<bool> &external, bool share);

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_ARENA_H
