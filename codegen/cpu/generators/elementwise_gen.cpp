// Halide generators for the elementwise ops (silu, softplus over a flat
// array) and the embedding lookup (ids outside [0, vocab) give zeros).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

// Splits a 1-D map into parallel blocks of vectors.
void scheduleFlat(Func f, Var i) {
  const int vec = 8;
  Var io("io"), ii("ii");
  f.split(i, io, ii, 4096, TailStrategy::GuardWithIf)
      .parallel(io)
      .vectorize(ii, vec, TailStrategy::GuardWithIf);
}

class Silu : public Generator<Silu> {
public:
  Input<Buffer<float>> x{"x", 1};
  Output<Buffer<float>> out{"out", 1};
  void generate() {
    Var i("i");
    out(i) = siluF(x(i));
    scheduleFlat(out, i);
  }
};

class Softplus : public Generator<Softplus> {
public:
  Input<Buffer<float>> x{"x", 1};
  Output<Buffer<float>> out{"out", 1};
  void generate() {
    Var i("i");
    out(i) = softplusF(x(i));
    scheduleFlat(out, i);
  }
};

class Embedding : public Generator<Embedding> {
public:
  Input<Buffer<int32_t>> ids{"ids", 1};
  Input<Buffer<float>> table{"table", 2}; // (d, vocab)
  Output<Buffer<float>> out{"out", 2};    // (d, row)
  void generate() {
    Var i("i"), r("r");
    Expr V = table.dim(1).extent();
    Expr id = ids(r);
    out(i, r) = select(id >= 0 && id < V, table(i, clamp(id, 0, V - 1)), 0.0f);
    out.vectorize(i, natural_vector_size<float>(), TailStrategy::GuardWithIf)
        .parallel(r, 8, TailStrategy::GuardWithIf);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(Silu, silu)
HALIDE_REGISTER_GENERATOR(Softplus, softplus)
HALIDE_REGISTER_GENERATOR(Embedding, embedding)
