// Halide generators for the causal depthwise conv1d with window state:
// conv1d (prefill; also emits the final window) and conv1d_step (one token).
// The window state holds the last K inputs, oldest first. Halide dims:
// x/out (c,t,b), weight (k,c), bias (c), state (k,c,b).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class Conv1d : public Generator<Conv1d> {
public:
  Input<Buffer<float>> x{"x", 3};
  Input<Buffer<float>> weight{"weight", 2};
  Input<Buffer<float>> bias{"bias", 1};
  Input<Buffer<float>> initState{"init_state", 3};
  Input<bool> applySilu{"apply_silu"};
  Output<Buffer<float>> out{"out", 3};
  Output<Buffer<float>> finalState{"final_state", 3};

  void generate() {
    Var c("c"), t("t"), b("b"), k("k"), s("s");
    Expr L = x.dim(1).extent(), K = weight.dim(0).extent();
    // History: K state entries then the L inputs.
    Func hist("hist");
    hist(c, s, b) = select(s < K, initState(clamp(s, 0, K - 1), c, b),
                           x(c, clamp(s - K, 0, L - 1), b));
    RDom rk(0, K, "rk");
    Func acc("acc");
    acc(c, t, b) = bias(c);
    acc(c, t, b) += weight(rk, c) * hist(c, t + 1 + rk, b);
    out(c, t, b) = select(applySilu, siluF(acc(c, t, b)), acc(c, t, b));
    finalState(k, c, b) = hist(c, L + k, b);

    const int vec = natural_vector_size<float>();
    Var to("to"), ti("ti"), task("task");
    out.split(t, to, ti, 32, TailStrategy::GuardWithIf)
        .vectorize(c, vec, TailStrategy::GuardWithIf)
        .reorder(c, ti, to, b)
        .fuse(to, b, task)
        .parallel(task);
    acc.compute_at(out, ti).vectorize(c, vec, TailStrategy::GuardWithIf);
    acc.update().vectorize(c, vec, TailStrategy::GuardWithIf);
    finalState.parallel(b);
  }
};

class Conv1dStep : public Generator<Conv1dStep> {
public:
  Input<Buffer<float>> x{"x", 2};
  Input<Buffer<float>> weight{"weight", 2};
  Input<Buffer<float>> bias{"bias", 1};
  Input<Buffer<float>> state{"state", 3};
  Input<bool> applySilu{"apply_silu"};
  Output<Buffer<float>> stateOut{"state_out", 3};
  Output<Buffer<float>> out{"out", 2};

  void generate() {
    Var c("c"), b("b"), k("k");
    Expr K = weight.dim(0).extent();
    stateOut(k, c, b) = select(k < K - 1, state(min(k + 1, K - 1), c, b), x(c, b));
    RDom rk(0, K, "rk");
    Func acc("acc");
    acc(c, b) = bias(c);
    acc(c, b) += weight(rk, c) * stateOut(rk, c, b);
    out(c, b) = select(applySilu, siluF(acc(c, b)), acc(c, b));

    const int vec = natural_vector_size<float>();
    stateOut.parallel(b);
    out.vectorize(c, vec, TailStrategy::GuardWithIf).parallel(b);
    acc.compute_at(out, b).vectorize(c, vec, TailStrategy::GuardWithIf);
    acc.update().vectorize(c, vec, TailStrategy::GuardWithIf);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(Conv1d, conv1d)
HALIDE_REGISTER_GENERATOR(Conv1dStep, conv1d_step)
