// WeightSet: the weights of one model, from a model directory (config.json +
// one or more *.safetensors, or a *.safetensors.index.json with a weight_map
// over shards) or from a single .safetensors file. Tensors are looked up by
// canonical HF Mamba2 name with aliasing (mamba_ssm's `backbone.embedding.`,
// Codestral's `model.` prefix, tied lm_head -> embeddings) and handed out as
// float32 (zero-copy when stored as aligned F32, converted otherwise).
// Errors throw ssdc::WeightsError naming the file, the tensor, and what was
// expected vs. found.
#ifndef SSDC_WEIGHTS_WEIGHTSET_H
#define SSDC_WEIGHTS_WEIGHTSET_H

#include "ssdc/weights/SafetensorsFile.h"
#include "ssdc/weights/TensorInfo.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssdc {

/// The stored tensor found for a requested (canonical) name.
struct ResolvedTensor {
  const TensorInfo *info = nullptr;
  std::string requested;          // the name asked for
  bool tiedToEmbeddings = false;  // lm_head.weight absent: these are the embeddings
};

/// Float32 contents of one tensor. Points into the file mapping when the
/// tensor is stored as F32 at a 4-byte aligned address, else owns a converted
/// copy. Valid while its WeightSet lives. Move-only.
class F32Tensor {
public:
  F32Tensor(F32Tensor &&) = default;
  F32Tensor &operator=(F32Tensor &&) = default;
  F32Tensor(const F32Tensor &) = delete;
  F32Tensor &operator=(const F32Tensor &) = delete;

  const float *data() const { return data_; }
  size_t size() const { return size_; }
  float operator[](size_t i) const { return data_[i]; }
  /// The shape the caller asked for (e.g. [c, K] for a stored [c, 1, K]).
  const Shape &shape() const { return shape_; }
  /// True when data() points into the mapping (no copy was made).
  bool zeroCopy() const { return owned_.empty() && size_ != 0; }
  bool tiedToEmbeddings() const { return tied_; }
  const std::string &storedName() const { return storedName_; }
  const std::string &file() const { return file_; }

private:
  friend class WeightSet;
  F32Tensor() = default;
  std::vector<float> owned_;
  const float *data_ = nullptr;
  size_t size_ = 0;
  Shape shape_;
  bool tied_ = false;
  std::string storedName_, file_;
};

/// A non-finite value found by scanNonFinite.
struct NonFiniteReport {
  std::string name;        // requested name
  std::string storedName;
  std::string file;
  int64_t index = 0;       // flat index of the first bad element
  Shape position;          // the same index per dimension
  float value = 0;         // NaN, +inf or -inf
  int64_t count = 0;       // how many bad elements the tensor has
  /// "FILE: tensor 'NAME' has NaN at index 17 ([0, 17]); 3 non-finite values"
  std::string message() const;
};

class WeightSet {
public:
  /// Opens a model directory or one .safetensors file. Throws WeightsError.
  static WeightSet open(const std::string &path);

  WeightSet(WeightSet &&) noexcept;
  WeightSet &operator=(WeightSet &&) noexcept;
  ~WeightSet();

  /// The path given to open().
  const std::string &path() const { return path_; }
  /// The files loaded: one, or every shard.
  std::vector<std::string> files() const;
  /// Every stored tensor name, sorted.
  std::vector<std::string> storedNames() const;
  size_t tensorCount() const { return byName_.size(); }

  /// Resolves a canonical name: the name itself, then its aliases, then (for
  /// lm_head.weight) the embeddings. nullopt when nothing matches; throws
  /// when two stored tensors match the same name (ambiguous checkpoint).
  std::optional<ResolvedTensor> find(const std::string &name) const;
  bool has(const std::string &name) const { return find(name).has_value(); }
  /// As find(), but a missing tensor throws (naming close stored names).
  ResolvedTensor resolve(const std::string &name) const;

  /// The tensor as float32 with exactly `expected` as its shape; F32, BF16
  /// and F16 are accepted, integer dtypes are an error.
  F32Tensor requireTensor(const std::string &name, const Shape &expected) const;
  /// As requireTensor, but size-1 dims are ignored when comparing shapes, and
  /// the result has shape `expected`: conv weights stored [c, 1, K] load as
  /// [c, K] (same data).
  F32Tensor requireSqueezed(const std::string &name, const Shape &expected) const;
  /// The stored tensor, any dtype, zero-copy, after the same shape check as
  /// requireTensor.
  const TensorInfo &requireRaw(const std::string &name,
                               const Shape &expected) const;

  /// Stored tensors none of `requested` resolves to, sorted (missing
  /// requested names are ignored here; requireTensor reports them).
  std::vector<std::string>
  unusedTensors(const std::vector<std::string> &requested) const;
  /// "PATH: checkpoint has N tensors the model does not use: a, b, ... (and K
  /// more)"; empty when `unused` is empty.
  std::string describeUnused(const std::vector<std::string> &unused,
                             size_t maxListed = 10) const;

  /// --check-weights: scans each requested tensor (missing ones throw) for
  /// NaN/Inf. One report per bad tensor; empty when all are finite.
  std::vector<NonFiniteReport>
  scanNonFinite(const std::vector<std::string> &names) const;
  /// scanNonFinite, throwing a WeightsError listing every bad tensor.
  void checkFinite(const std::vector<std::string> &names) const;

private:
  WeightSet() = default;
  void addFile(std::unique_ptr<SafetensorsFile> file);
  const TensorInfo &checkedShape(const ResolvedTensor &r, const Shape &expected,
                                 bool squeeze) const;
  F32Tensor toF32(const ResolvedTensor &r, const Shape &shape) const;

  std::string path_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::unordered_map<std::string, const TensorInfo *> byName_;
};

} // namespace ssdc

#endif // SSDC_WEIGHTS_WEIGHTSET_H
