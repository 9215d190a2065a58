// WeightSet: opening a model directory / index / single file, name
// resolution with aliases and the tied head, and shape/dtype-checked access.
#include "ssdc/weights/WeightSet.h"

#include "CloseNames.h"
#include "NameAliases.h"
#include "ShardIndex.h"
#include "ssdc/weights/WeightsError.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <set>
#include <sys/stat.h>

namespace ssdc {

namespace {

std::string q(const std::string &s) { return "'" + s + "'"; }

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isDirectory(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool isFile(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string dirOf(const std::string &p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    throw WeightsError(dir + ": cannot list directory: " + std::strerror(errno));
  while (struct dirent *e = ::readdir(d))
    names.push_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// "tensor 'stored'" plus how the caller asked for it.
std::string describe(const ResolvedTensor &r) {
  std::string s = "tensor " + q(r.info->name);
  if (r.tiedToEmbeddings)
    s += " (as tied " + q(r.requested) + ")";
  else if (r.requested != r.info->name)
    s += " (as " + q(r.requested) + ")";
  return s;
}

} // namespace

WeightSet::WeightSet(WeightSet &&) noexcept = default;
WeightSet &WeightSet::operator=(WeightSet &&) noexcept = default;
WeightSet::~WeightSet() = default;

void WeightSet::addFile(std::unique_ptr<SafetensorsFile> file) {
  for (const TensorInfo &t : file->tensors()) {
    auto [it, fresh] = byName_.emplace(t.name, &t);
    if (!fresh)
      throw WeightsError(path_ + ": tensor " + q(t.name) + " is in both " +
                         it->second->file + " and " + t.file);
  }
  files_.push_back(std::move(file));
}

static void loadIndex(const std::string &indexPath,
                      std::vector<std::unique_ptr<SafetensorsFile>> &out) {
  ShardIndex idx = readShardIndex(indexPath);
  const std::string dir = dirOf(indexPath);
  std::set<std::string> listed;
  for (const std::string &shard : idx.shards) {
    const std::string p = dir + "/" + shard;
    if (!isFile(p))
      throw WeightsError(indexPath + ": weight_map names shard " + q(shard) +
                         ", but " + p + " does not exist");
    out.push_back(SafetensorsFile::open(p));
  }
  for (const auto &[name, shard] : idx.weightMap) {
    // (A named copy: lambdas capturing structured bindings need C++20; the
    // fuzz build uses clang 14.)
    const std::string shardPath = dir + "/" + shard;
    auto f = std::find_if(out.begin(), out.end(), [&](const auto &sf) {
      return sf->path() == shardPath;
    });
    if (!(*f)->find(name))
      throw WeightsError(indexPath + ": weight_map puts tensor " + q(name) +
                         " in " + q(shard) + ", but " + (*f)->path() +
                         " has no such tensor");
  }
  for (const auto &sf : out)
    for (const TensorInfo &t : sf->tensors()) {
      auto it = idx.weightMap.find(t.name);
      if (it == idx.weightMap.end() || dir + "/" + it->second != sf->path())
        throw WeightsError(indexPath + ": shard " + sf->path() +
                           " holds tensor " + q(t.name) +
                           " that the weight_map " +
                           (it == idx.weightMap.end()
                                ? std::string("does not list")
                                : "puts in " + q(it->second)));
    }
}

WeightSet WeightSet::open(const std::string &path) {
  WeightSet ws;
  ws.path_ = path;
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  if (isDirectory(path)) {
    std::string dir = path; // "m/" and "m" name the same files in messages
    while (dir.size() > 1 && dir.back() == '/')
      dir.pop_back();
    std::vector<std::string> indexes, tensorsFiles;
    for (const std::string &n : listDir(dir)) {
      if (endsWith(n, ".safetensors.index.json"))
        indexes.push_back(n);
      else if (endsWith(n, ".safetensors"))
        tensorsFiles.push_back(n);
    }
    // As transformers: model.safetensors first, then the index.
    if (isFile(dir + "/model.safetensors")) {
      files.push_back(SafetensorsFile::open(dir + "/model.safetensors"));
    } else if (isFile(dir + "/model.safetensors.index.json")) {
      loadIndex(dir + "/model.safetensors.index.json", files);
    } else if (indexes.size() == 1) {
      loadIndex(dir + "/" + indexes[0], files);
    } else if (indexes.size() > 1) {
      throw WeightsError(dir + ": " + std::to_string(indexes.size()) +
                         " *.safetensors.index.json files (" + indexes[0] +
                         ", " + indexes[1] + ", ...); expected one");
    } else if (tensorsFiles.size() == 1) {
      files.push_back(SafetensorsFile::open(dir + "/" + tensorsFiles[0]));
    } else if (tensorsFiles.empty()) {
      throw WeightsError(dir + ": no model.safetensors, no *.safetensors "
                                "file and no *.safetensors.index.json here");
    } else {
      throw WeightsError(dir + ": " + std::to_string(tensorsFiles.size()) +
                         " .safetensors files (" + tensorsFiles[0] + ", " +
                         tensorsFiles[1] + ", ...) but no model.safetensors "
                         "and no index; pass one file or add an index");
    }
  } else if (endsWith(path, ".index.json")) {
    loadIndex(path, files);
  } else {
    files.push_back(SafetensorsFile::open(path));
  }
  for (auto &f : files)
    ws.addFile(std::move(f));
  return ws;
}

std::vector<std::string> WeightSet::files() const {
  std::vector<std::string> out;
  for (const auto &f : files_)
    out.push_back(f->path());
  return out;
}

std::vector<std::string> WeightSet::storedNames() const {
  std::vector<std::string> out;
  out.reserve(byName_.size());
  for (const auto &kv : byName_)
    out.push_back(kv.first);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ResolvedTensor> WeightSet::find(const std::string &name) const {
  std::vector<const TensorInfo *> hits;
  for (const std::string &c : aliasCandidates(name)) {
    auto it = byName_.find(c);
    if (it != byName_.end())
      hits.push_back(it->second);
  }
  if (hits.size() > 1)
    throw WeightsError(path_ + ": tensors " + q(hits[0]->name) + " and " +
                       q(hits[1]->name) + " both stand for " + q(name) +
                       "; the checkpoint is ambiguous");
  if (hits.size() == 1)
    return ResolvedTensor{hits[0], name, false};
  if (name == kLmHeadName) {
    std::optional<ResolvedTensor> emb = find(kEmbeddingsName);
    if (emb) {
      emb->requested = name;
      emb->tiedToEmbeddings = true;
    }
    return emb;
  }
  return std::nullopt;
}

ResolvedTensor WeightSet::resolve(const std::string &name) const {
  if (std::optional<ResolvedTensor> r = find(name))
    return *r;
  std::string msg = path_ + ": checkpoint has no tensor " + q(name);
  std::vector<std::string> tried = aliasCandidates(name);
  if (tried.size() > 1) {
    msg += " (also looked for";
    for (size_t i = 1; i < tried.size(); ++i)
      msg += (i > 1 ? ", " : " ") + q(tried[i]);
    msg += ")";
  }
  if (name == kLmHeadName)
    msg += std::string(", nor ") + kEmbeddingsName + " to tie it to";
  std::vector<std::string> near = closeNames(name, storedNames());
  if (!near.empty()) {
    msg += "; close names:";
    for (size_t i = 0; i < near.size(); ++i)
      msg += (i ? ", " : " ") + q(near[i]);
  }
  throw WeightsError(msg);
}

const TensorInfo &WeightSet::checkedShape(const ResolvedTensor &r,
                                          const Shape &expected,
                                          bool squeeze) const {
  const TensorInfo &t = *r.info;
  bool ok = squeeze ? squeezeShape(t.shape) == squeezeShape(expected)
                    : t.shape == expected;
  if (!ok)
    throw WeightsError(t.file + ": " + describe(r) + ": expected shape " +
                       formatShape(expected) +
                       (squeeze ? " (size-1 dims ignored)" : "") + " got " +
                       formatShape(t.shape));
  return t;
}

F32Tensor WeightSet::toF32(const ResolvedTensor &r, const Shape &shape) const {
  const TensorInfo &t = *r.info;
  if (!isFloatDType(t.dtype))
    throw WeightsError(t.file + ": " + describe(r) + " has dtype " +
                       dtypeName(t.dtype) + ", expected F32, BF16 or F16");
  F32Tensor out;
  out.shape_ = shape;
  out.size_ = size_t(t.numel());
  out.tied_ = r.tiedToEmbeddings;
  out.storedName_ = t.name;
  out.file_ = t.file;
  const uint8_t *p = t.data;
  const size_t n = out.size_;
  if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {
    out.data_ = reinterpret_cast<const float *>(p);
    return out;
  }
  out.owned_.resize(n);
  float *dst = out.owned_.data();
  if (t.dtype == DType::F32) {
    if (n)
      std::memcpy(dst, p, n * sizeof(float));
  } else {
    float (*conv)(uint16_t) = t.dtype == DType::BF16 ? bf16ToF32 : f16ToF32;
    for (size_t i = 0; i < n; ++i) {
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      dst[i] = conv(bits);
    }
  }
  out.data_ = dst;
  return out;
}

F32Tensor WeightSet::requireTensor(const std::string &name,
                                   const Shape &expected) const {
  ResolvedTensor r = resolve(name);
  checkedShape(r, expected, false);
  return toF32(r, expected);
}

F32Tensor WeightSet::requireSqueezed(const std::string &name,
                                     const Shape &expected) const {
  ResolvedTensor r = resolve(name);
  checkedShape(r, expected, true);
  return toF32(r, expected);
}

const TensorInfo &WeightSet::requireRaw(const std::string &name,
                                        const Shape &expected) const {
  return checkedShape(resolve(name), expected, false);
}

std::vector<std::string>
WeightSet::unusedTensors(const std::vector<std::string> &requested) const {
  std::set<std::string> used;
  for (const std::string &n : requested)
    if (std::optional<ResolvedTensor> r = find(n))
      used.insert(r->info->name);
  std::vector<std::string> out;
  for (const std::string &n : storedNames())
    if (!used.count(n))
      out.push_back(n);
  return out;
}

std::string WeightSet::describeUnused(const std::vector<std::string> &unused,
                                      size_t maxListed) const {
  if (unused.empty())
    return "";
  std::string msg = path_ + ": checkpoint has " + std::to_string(unused.size()) +
                    (unused.size() == 1 ? " tensor" : " tensors") +
                    " the model does not use:";
  for (size_t i = 0; i < unused.size() && i < maxListed; ++i)
    msg += (i ? ", " : " ") + unused[i];
  if (unused.size() > maxListed)
    msg += " (and " + std::to_string(unused.size() - maxListed) + " more)";
  return msg;
}

} // namespace ssdc
