// Arena planning (see Arena.h): live ranges by walking the launches the way
// the executor reads them, then a greedy placement, largest buffer first, at
// the lowest offset that no buffer live at the same time occupies.
#include "runtime/cuda/Arena.h"

#include "runtime/core/Error.h"

#include <algorithm>

namespace ssdc::rt {

int64_t storageOf(const Entry &entry, int64_t id) {
  for (size_t hops = 0; hops <= entry.buffers.size(); ++hops) {
    if (id < 0 || id >= static_cast<int64_t>(entry.buffers.size()))
      throw RuntimeError("plan entry '" + entry.name + "': buffer " + std::to_string(id) +
                         " does not exist");
    const Buffer &b = entry.buffers[id];
    if (b.kind == BufferKind::Weight || b.kind == BufferKind::Input)
      return -1;
    if (b.kind == BufferKind::View && b.columnOffset < 0) {
      id = b.viewOf;
      continue;
    }
    return id;
  }
  throw RuntimeError("plan entry '" + entry.name + "': a cycle of views");
}

int64_t dtypeBytes(const std::string &dtype) {
  if (dtype == "f32") return 4;
  if (dtype == "bf16" || dtype == "f16") return 2;
  if (dtype == "i64") return 8;
  throw RuntimeError("the CUDA executor cannot store dtype '" + dtype + "'");
}

bool columnViewAliases(const Entry &entry, int64_t id, const CallShape &call) {
  const Buffer &b = entry.buffers[id];
  if (b.kind != BufferKind::View || b.columnOffset < 0 || b.columns <= 0 ||
      entry.buffers[b.viewOf].dtype != b.dtype)
    return false;
  int64_t rows = Tensor::count(call.shapeOf(b)) / b.columns;
  return rows == 1 && b.columnOffset * dtypeBytes(b.dtype) % 16 == 0;
}

bool readsColumnsInPlace(const Launch &l, size_t input) {
  return (l.op == "ssd.conv1d" && input == 0) || (l.op == "ssd.rmsnorm" && input == 2);
}

namespace {

int64_t alignUp(int64_t v) {
  return (v + ArenaPlan::kAlign - 1) / ArenaPlan::kAlign * ArenaPlan::kAlign;
}

bool mentionsCache(const Buffer &b) {
  for (const Dim &d : b.shape)
    if (d.size < 0 && (d.symbol == "s" || d.symbol == "s+l"))
      return true;
  return false;
}

} // namespace

ArenaPlan planArena(const Entry &entry, const CallShape &call,
                    const std::vector<bool> &external, bool share) {
  size_t n = entry.buffers.size();
  ArenaPlan plan;
  plan.offset.assign(n, -1);
  plan.bytes.assign(n, 0);
  plan.first.assign(n, -1);
  plan.last.assign(n, -1);
  auto isExternal = [&](int64_t s) {
    return static_cast<size_t>(s) < external.size() && external[s];
  };
  // A read at launch i: a column view is materialised (from its source) by
  // the first launch that reads it.
  auto read = [&](auto &self, int64_t id, int64_t i, bool inPlace) -> void {
    int64_t s = storageOf(entry, id);
    if (s < 0)
      return;
    const Buffer &b = entry.buffers[s];
    if (b.kind == BufferKind::View && b.columnOffset >= 0 &&
        (inPlace || columnViewAliases(entry, s, call))) {
      self(self, b.viewOf, i, false);  // read in place: the source lives to here
      return;
    }
    if (b.kind == BufferKind::View && plan.first[s] < 0) {
      plan.first[s] = i;
      self(self, b.viewOf, i, false);
    }
    plan.last[s] = std::max(plan.last[s], i);
  };
  int64_t end = static_cast<int64_t>(entry.launches.size());
  for (int64_t i = 0; i < end; ++i) {
    const Launch &l = entry.launches[i];
    for (size_t k = 0; k < l.inputs.size(); ++k)
      read(read, l.inputs[k], i, readsColumnsInPlace(l, k));
    for (int64_t id : l.outputs) {
      int64_t s = storageOf(entry, id);
      if (s < 0)
        continue;
      if (plan.first[s] < 0)
        plan.first[s] = i;
      plan.last[s] = std::max(plan.last[s], i);
    }
  }
  for (const EntryOutput &o : entry.outputs) {
    int64_t s = storageOf(entry, o.buffer);
    if (s >= 0)
      plan.last[s] = end;  // read after the last launch
  }

  struct Item {
    int64_t id, bytes, first, last;
  };
  std::vector<Item> items;
  for (size_t s = 0; s < n; ++s) {
    if (plan.first[s] < 0 || isExternal(static_cast<int64_t>(s)))
      continue;  // never written (the executor reports a read), or bound outside
    const Buffer &b = entry.buffers[s];
    plan.dependsOnCache |= mentionsCache(b);
    int64_t bytes = alignUp(std::max<int64_t>(
        Tensor::count(call.shapeOf(b)) * dtypeBytes(b.dtype), 1));
    items.push_back({static_cast<int64_t>(s), bytes, plan.first[s], plan.last[s]});
    plan.unshared += bytes;
  }
  if (!share) {
    for (const Item &it : items) {
      plan.offset[it.id] = plan.total;
      plan.bytes[it.id] = it.bytes;
      plan.total += it.bytes;
    }
    return plan;
  }
  std::stable_sort(items.begin(), items.end(), [](const Item &a, const Item &b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.first < b.first;
  });
  std::vector<const Item *> placed;
  std::vector<std::pair<int64_t, int64_t>> taken;  // [offset, end) of live neighbours
  for (const Item &it : items) {
    taken.clear();
    for (const Item *p : placed)
      if (p->first <= it.last && it.first <= p->last)
        taken.emplace_back(plan.offset[p->id], plan.offset[p->id] + p->bytes);
    std::sort(taken.begin(), taken.end());
    int64_t at = 0;
    for (const auto &[lo, hi] : taken) {
      if (lo >= at + it.bytes)
        break;  // the gap before this range fits
      at = std::max(at, hi);
    }
    plan.offset[it.id] = at;
    plan.bytes[it.id] = it.bytes;
    plan.total = std::max(plan.total, at + it.bytes);
    placed.push_back(&it);
  }
  return plan;
}

} // namespace ssdc::rt
