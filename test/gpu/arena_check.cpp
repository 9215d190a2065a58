// ssdc-arena-check: the CUDA executor's arena plans (runtime/cuda/Arena.h),
// no GPU needed.
//
//   ssdc-arena-check                 a hand-built entry: live ranges as
//                                    expected, invariants hold
//   ssdc-arena-check ARTIFACT...     every entry of each artifact's plan at
//                                    a few (batch, length) shapes, its state
//                                    outputs bound outside as a session does
//
// Invariants: every buffer the entry writes (not bound outside) has a range;
// two buffers live at one launch never share a byte; ranges are aligned and
// inside the block; the block is no larger than one range per buffer.
#include "runtime/core/Artifact.h"
#include "runtime/core/Error.h"
#include "runtime/cuda/Arena.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace ssdc::rt;

namespace {

int failures = 0;

void expect(bool ok, const std::string &what) {
  if (!ok) {
    std::printf("FAIL %s\n", what.c_str());
    ++failures;
  }
}

/// Checks the invariants of `p`; returns the number of buffers placed.
int checkPlan(const Entry &e, const CallShape &call, const ArenaPlan &p,
              const std::vector<bool> &external, const std::string &where) {
  int placed = 0;
  size_t n = e.buffers.size();
  for (size_t i = 0; i < n; ++i) {
    bool ext = i < external.size() && external[i];
    if (p.first[i] >= 0 && storageOf(e, i) == static_cast<int64_t>(i) && !ext) {
      expect(p.offset[i] >= 0, where + ": buffer " + std::to_string(i) + " has no range");
      int64_t need = Tensor::count(call.shapeOf(e.buffers[i])) *
                     dtypeBytes(e.buffers[i].dtype);
      expect(p.bytes[i] >= need, where + ": buffer " + std::to_string(i) + " too small");
    }
    if (p.offset[i] < 0)
      continue;
    ++placed;
    expect(!ext, where + ": bound buffer " + std::to_string(i) + " in the arena");
    expect(p.offset[i] % ArenaPlan::kAlign == 0, where + ": misaligned");
    expect(p.offset[i] + p.bytes[i] <= p.total, where + ": outside the block");
    for (size_t j = i + 1; j < n; ++j) {
      if (p.offset[j] < 0)
        continue;
      bool live = p.first[i] <= p.last[j] && p.first[j] <= p.last[i];
      bool bytes = p.offset[i] < p.offset[j] + p.bytes[j] &&
                   p.offset[j] < p.offset[i] + p.bytes[i];
      expect(!(live && bytes), where + ": buffers " + std::to_string(i) + " and " +
                                   std::to_string(j) + " are live together and overlap");
    }
  }
  expect(p.total <= p.unshared, where + ": block larger than unshared");
  return placed;
}

Dim sym(const std::string &s) {
  Dim d;
  d.symbol = s;
  return d;
}
Dim fixed(int64_t v) {
  Dim d;
  d.size = v;
  return d;
}

/// A hand-built entry: buffers (f32 unless said) and launches in order.
struct EntryBuilder {
  Entry e;
  explicit EntryBuilder(const std::string &name) { e.name = name; }
  int64_t buf(BufferKind k, std::vector<Dim> shape) {
    Buffer b;
    b.id = static_cast<int64_t>(e.buffers.size());
    b.kind = k;
    b.shape = std::move(shape);
    b.dtype = "f32";
    e.buffers.push_back(b);
    return b.id;
  }
  int64_t ids() {
    int64_t id = buf(BufferKind::Input, {sym("b"), sym("l")});
    e.buffers[id].role = "input_ids";
    e.buffers[id].dtype = "i64";
    return id;
  }
  int64_t columns(int64_t of, int64_t offset, int64_t count) {
    int64_t id = buf(BufferKind::View, {sym("b"), sym("l"), fixed(count)});
    e.buffers[id].viewOf = of;
    e.buffers[id].columnOffset = offset;
    e.buffers[id].columns = count;
    return id;
  }
  void launch(std::vector<int64_t> in, std::vector<int64_t> out) {
    Launch l;
    l.inputs = std::move(in);
    l.outputs = std::move(out);
    e.launches.push_back(l);
  }
};

void handBuilt() {
  EntryBuilder h("hand");
  Entry &e = h.e;
  auto buf = [&](BufferKind k, std::vector<Dim> shape) { return h.buf(k, std::move(shape)); };
  int64_t ids = h.ids();
  int64_t w = buf(BufferKind::Weight, {fixed(16), fixed(8)});
  int64_t a = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(8)});
  int64_t col = h.columns(a, 4, 4);
  int64_t resh = buf(BufferKind::View, {sym("b"), sym("l"), fixed(2), fixed(4)});
  e.buffers[resh].viewOf = a;
  int64_t c = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(4)});
  int64_t d = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(8)});
  int64_t st = buf(BufferKind::Activation, {sym("b"), fixed(8)});
  int64_t out = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(8)});
  auto launch = [&](std::vector<int64_t> in, std::vector<int64_t> o) {
    h.launch(std::move(in), std::move(o));
  };
  launch({w, ids}, {a});     // #0 a
  launch({col}, {c});        // #1 col (copy of a) materialised, c
  launch({resh, c}, {d, st}); // #2 reads a through the reshape view
  launch({d}, {out});        // #3 logits
  e.outputs = {{out, "logits"}, {st, "layers.0.ssm"}};
  CallShape call;
  call.b = 2;
  call.l = 5;
  std::vector<bool> external(e.buffers.size(), false);
  external[st] = true;
  ArenaPlan p = planArena(e, call, external, true);
  checkPlan(e, call, p, external, "hand-built");
  auto range = [&](int64_t id, int64_t f, int64_t l) {
    expect(p.first[id] == f && p.last[id] == l,
           "hand-built: buffer " + std::to_string(id) + " lives [" +
               std::to_string(p.first[id]) + ", " + std::to_string(p.last[id]) +
               "], expected [" + std::to_string(f) + ", " + std::to_string(l) + "]");
  };
  range(a, 0, 2);
  range(col, 1, 1);
  range(c, 1, 2);
  range(d, 2, 3);
  range(out, 3, 4);  // an entry output: to the end
  expect(p.offset[st] < 0 && p.offset[resh] < 0 && p.offset[w] < 0,
         "hand-built: bound, view and weight buffers stay out of the arena");
  // a (live 0..2) and out (3..4) may share; col, c and a may not.
  expect(p.total < p.unshared, "hand-built: nothing shared (" + std::to_string(p.total) +
                                   " of " + std::to_string(p.unshared) + " bytes)");
  ArenaPlan apart = planArena(e, call, external, false);
  checkPlan(e, call, apart, external, "hand-built, unshared");
  expect(apart.total == apart.unshared, "hand-built: unshared block size");
  std::printf("hand-built entry: %lld of %lld bytes shared\n", (long long)p.total,
              (long long)p.unshared);
}

/// A column view read by two launches: copied (its own range, the source
/// alive to the first read) unless the call is one row, where it is read in
/// place (no range; the source alive to the last read) -- if its offset is
/// whole 16-byte units.
void columnViewInPlace() {
  EntryBuilder h("columns");
  Entry &e = h.e;
  auto buf = [&](BufferKind k, std::vector<Dim> shape) { return h.buf(k, std::move(shape)); };
  int64_t ids = h.ids();
  int64_t w = buf(BufferKind::Weight, {fixed(16), fixed(12)});
  int64_t a = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(12)});
  int64_t col = h.columns(a, 4, 8);
  int64_t c = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(8)});
  int64_t out = buf(BufferKind::Activation, {sym("b"), sym("l"), fixed(8)});
  auto launch = [&](std::vector<int64_t> in, std::vector<int64_t> o) {
    h.launch(std::move(in), std::move(o));
  };
  launch({w, ids}, {a});  // #0
  launch({col}, {c});     // #1
  launch({col, c}, {out}); // #2
  e.outputs = {{out, "logits"}};
  std::vector<bool> external(e.buffers.size(), false);
  CallShape two, one;
  two.b = 2;
  two.l = 1;
  one.b = 1;
  one.l = 1;
  ArenaPlan copied = planArena(e, two, external, true);
  checkPlan(e, two, copied, external, "columns, two rows");
  expect(!columnViewAliases(e, col, two) && copied.offset[col] >= 0 &&
             copied.first[col] == 1 && copied.last[col] == 2 && copied.last[a] == 1,
         "columns, two rows: the view is a copy made at #1 (source alive to #1)");
  ArenaPlan inPlace = planArena(e, one, external, true);
  checkPlan(e, one, inPlace, external, "columns, one row");
  expect(columnViewAliases(e, col, one) && inPlace.offset[col] < 0 &&
             inPlace.first[a] == 0 && inPlace.last[a] == 2,
         "columns, one row: the view is read in place (no range, source alive to #2)");
  // A kernel that takes a row stride (conv1d's x) reads the view in place at
  // any number of rows; a later plain read of it still gets its copy.
  e.launches[1].op = "ssd.conv1d";
  ArenaPlan strided = planArena(e, two, external, true);
  checkPlan(e, two, strided, external, "columns, conv1d reads in place");
  expect(readsColumnsInPlace(e.launches[1], 0) && strided.offset[col] >= 0 &&
             strided.first[col] == 2 && strided.last[a] >= 2,
         "columns, conv1d at #1 reads in place, #2's copy is made at #2 (source alive to #2)");
  e.launches[2].inputs = {c, c};  // only the conv reads the view now
  ArenaPlan only = planArena(e, two, external, true);
  checkPlan(e, two, only, external, "columns, only conv1d reads");
  expect(only.offset[col] < 0 && only.last[a] == 1,
         "columns, only conv1d reads the view: no range, source alive to #1");
  e.buffers[col].columnOffset = 2;  // 8 bytes: not whole 16-byte units
  e.buffers[col].columns = 8;
  e.buffers[a].shape.back() = fixed(10);
  expect(!columnViewAliases(e, col, one), "columns, one row, offset 8 bytes: copied");
}

} // namespace

int main(int argc, char **argv) {
  try {
    handBuilt();
    columnViewInPlace();
    for (int i = 1; i < argc; ++i) {
      Artifact art = loadArtifact(argv[i], "cuda");
      for (const Entry &e : art.plan.entries) {
        std::vector<bool> external(e.buffers.size(), false);
        for (const EntryOutput &o : e.outputs)
          if (o.role != "logits")
            external[storageOf(e, o.buffer)] = true;
        int64_t lo = e.lMin, hi = e.lMax < 0 ? e.lMin + 100 : e.lMax;
        bool printed = false;
        for (int64_t b : {1, 3})
          for (int64_t l : {lo, (lo + hi) / 2, hi}) {
            CallShape call;
            call.b = b;
            call.l = l;
            call.s = 5;
            ArenaPlan p = planArena(e, call, external, true);
            std::string where = std::string(argv[i]) + " " + e.name + " b=" +
                                std::to_string(b) + " l=" + std::to_string(l);
            int placed = checkPlan(e, call, p, external, where);
            if (!printed && (printed = true))
              std::printf("%s: %d buffers in %.3f MB (%.3f MB unshared)\n", where.c_str(),
                          placed, p.total / 1e6, p.unshared / 1e6);
          }
      }
    }
  } catch (const std::exception &err) {
    std::printf("FAIL %s\n", err.what());
    return 1;
  }
  std::printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
