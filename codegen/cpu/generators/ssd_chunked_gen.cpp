// Halide generators for the chunked SSD schedule, one per stage of DESIGN.md
// level 4 (chunk size Q is a runtime value; L need not be a multiple of Q):
//   ssd_chunk_cumsum  dt processing; within-chunk cumulative log-decay (hi, lo)
//   ssd_chunk_state   S_c = sum_j exp(cum_last - cum_j) dt_j x_j B_j^T
//   ssd_state_pass    sequential 1-SS recurrence across chunks -> state entering
//                     each chunk, and the final state
//   ssd_chunk_output  diagonal block (L o C B^T)(dt x) + exp(cum_i) C_i S_prev + D x
// Positions t >= L in the last chunk are padding: dt = 0 there, so they add
// nothing and do not decay. Layouts (Halide dims, innermost first):
// x (p,h,t,b), dt (h,t,b), B/C (n,g,t,b), per-chunk scalars (q,c,h,b),
// chunk states (p,n,h,c,b), initial/final state (n,p,h,b), y (p,h,t,b).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class ChunkCumsum : public Generator<ChunkCumsum> {
public:
  Input<Buffer<float>> dt{"dt", 3};
  Input<Buffer<float>> A{"A", 1};
  Input<Buffer<float>> dtBias{"dt_bias", 1};
  Input<float> dtMin{"dt_min"};
  Input<float> dtMax{"dt_max"};
  Input<bool> dtSoftplus{"dt_softplus"};
  Input<int> chunk{"chunk"};
  Output<Buffer<float>> dtOut{"dt_out", 4};
  Output<Buffer<float>> cumHi{"cum_hi", 4};
  Output<Buffer<float>> cumLo{"cum_lo", 4};

  void generate() {
    Var q("q"), c("c"), h("h"), b("b");
    Expr L = dt.dim(1).extent();
    Expr t = c * chunk + q;
    Func dtp("dtp");
    dtp(q, c, h, b) = select(t < L,
                             processDt(dt(h, min(t, L - 1), b), dtBias(h),
                                       dtSoftplus, dtMin, dtMax),
                             0.0f);
    Func cum("cum");
    cum(q, c, h, b) = Tuple(0.0f, 0.0f);
    RDom rq(0, chunk, "rq");
    Expr qp = max(rq - 1, 0);
    cum(rq, c, h, b) =
        twoSumStep(select(rq > 0, cum(qp, c, h, b)[0], 0.0f),
                   select(rq > 0, cum(qp, c, h, b)[1], 0.0f),
                   dtp(rq, c, h, b) * A(h));
    dtOut(q, c, h, b) = dtp(q, c, h, b);
    cumHi(q, c, h, b) = cum(q, c, h, b)[0];
    cumLo(q, c, h, b) = cum(q, c, h, b)[1];

    Var task("task");
    dtp.compute_root().parallel(h);
    cum.compute_root().fuse(h, b, task).parallel(task);
    cum.update().fuse(h, b, task).parallel(task);
  }
};

class ChunkState : public Generator<ChunkState> {
public:
  Input<Buffer<float>> x{"x", 4};
  Input<Buffer<float>> B{"B", 4};
  Input<Buffer<float>> dtc{"dtc", 4};
  Input<Buffer<float>> cumHi{"cum_hi", 4};
  Input<Buffer<float>> cumLo{"cum_lo", 4};
  Output<Buffer<float>> states{"states", 5};

  void generate() {
    Var p("p"), n("n"), h("h"), c("c"), b("b"), q("q");
    Expr H = x.dim(1).extent(), L = x.dim(2).extent();
    Expr G = B.dim(1).extent(), Q = dtc.dim(0).extent();
    Func w("w");
    w(q, c, h, b) = decayBetween(cumHi(Q - 1, c, h, b), cumLo(Q - 1, c, h, b),
                                 cumHi(q, c, h, b), cumLo(q, c, h, b)) *
                    dtc(q, c, h, b);
    RDom rq(0, Q, "rq");
    Expr tq = min(c * Q + rq, L - 1);
    Func acc("acc");
    acc(p, n, h, c, b) = 0.0f;
    acc(p, n, h, c, b) +=
        w(rq, c, h, b) * x(p, h, tq, b) * B(n, h / (H / G), tq, b);
    states(p, n, h, c, b) = acc(p, n, h, c, b);

    // Register tiles of (2 vectors of p) x (4 of n); one task per (h, c, b).
    // When P and N fill a tile, constant tiles (ShiftInwards) keep the
    // accumulators in registers; otherwise a guarded generic schedule.
    const int vec = natural_vector_size<float>();
    Expr P = x.dim(0).extent(), N = B.dim(0).extent();
    Expr fits = P >= 2 * vec && N >= 4;
    Var po("po"), pi("pi"), no("no"), ni("ni"), task("task");
    w.compute_root().parallel(h);
    states.specialize(fits)
        .tile(p, n, po, no, pi, ni, 2 * vec, 4, TailStrategy::ShiftInwards)
        .vectorize(pi, vec)
        .unroll(pi)
        .unroll(ni)
        .fuse(h, c, task)
        .fuse(task, b, task)
        .parallel(task);
    states.tile(p, n, po, no, pi, ni, 2 * vec, 4, TailStrategy::GuardWithIf)
        .vectorize(pi, vec)
        .fuse(h, c, task)
        .fuse(task, b, task)
        .parallel(task);
    acc.compute_at(states, po).vectorize(p, vec, TailStrategy::GuardWithIf);
    acc.update()
        .specialize(fits)
        .reorder(p, n, rq)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(n);
    acc.update()
        .reorder(p, n, rq)
        .vectorize(p, vec, TailStrategy::GuardWithIf);
  }
};

class StatePass : public Generator<StatePass> {
public:
  Input<Buffer<float>> states{"states", 5};
  Input<Buffer<float>> cumHi{"cum_hi", 4};
  Input<Buffer<float>> cumLo{"cum_lo", 4};
  Input<Buffer<float>> initState{"init_state", 4};
  Output<Buffer<float>> prev{"prev", 5};
  Output<Buffer<float>> finalState{"final_state", 4};

  void generate() {
    Var p("p"), n("n"), h("h"), c("c"), b("b");
    Expr Q = cumHi.dim(0).extent(), NC = cumHi.dim(1).extent();
    // S' = decayStep (common.h) with the chunk's total decay: keeps the low
    // bits of a decay close to 1 without cancelling when the decay is small.
    Func total("total"), totalM1("totalM1");
    Expr logTotal = min(cumHi(Q - 1, c, h, b) + cumLo(Q - 1, c, h, b), 0.0f);
    total(c, h, b) = expNonPositive(logTotal);
    totalM1(c, h, b) = expm1NonPositive(logTotal);
    auto step = [&](Expr s, Expr c0, Expr add) {
      return decayStep(s, total(c0, h, b), totalM1(c0, h, b), add);
    };
    prev(p, n, h, c, b) = initState(n, p, h, b);
    RDom rc(1, NC - 1, "rc");
    prev(p, n, h, rc, b) = step(prev(p, n, h, rc - 1, b), rc - 1,
                                states(p, n, h, rc - 1, b));
    finalState(n, p, h, b) = step(prev(p, n, h, NC - 1, b), NC - 1,
                                  states(p, n, h, NC - 1, b));

    const int vec = natural_vector_size<float>();
    Var task("task");
    total.compute_root();
    totalM1.compute_root();
    prev.fuse(h, c, task).fuse(task, b, task).parallel(task)
        .vectorize(p, vec, TailStrategy::GuardWithIf);
    prev.update()
        .reorder(p, n, rc, h, b)
        .vectorize(p, vec, TailStrategy::GuardWithIf)
        .fuse(h, b, task)
        .parallel(task);
    finalState.parallel(h);
  }
};

class ChunkOutput : public Generator<ChunkOutput> {
public:
  Input<Buffer<float>> x{"x", 4};
  Input<Buffer<float>> B{"B", 4};
  Input<Buffer<float>> C{"C", 4};
  Input<Buffer<float>> D{"D", 1};
  Input<Buffer<float>> dtc{"dtc", 4};
  Input<Buffer<float>> cumHi{"cum_hi", 4};
  Input<Buffer<float>> cumLo{"cum_lo", 4};
  Input<Buffer<float>> prev{"prev", 5};
  Output<Buffer<float>> y{"y", 4};

  void generate() {
    Var p("p"), n("n"), h("h"), t("t"), b("b"), r("r"), g("g"), j("j");
    Expr H = x.dim(1).extent(), L = x.dim(2).extent();
    Expr N = B.dim(0).extent(), G = B.dim(1).extent(), Q = dtc.dim(0).extent();
    Expr hg = H / G;
    Expr c = t / Q, qi = t % Q;

    // B transposed (time innermost) so C B^T vectorises over the key index.
    Func Bt("Bt");
    Bt(j, n, g, b) = B(n, g, min(j, L - 1), b);
    RDom rn(0, N, "rn");
    Func CB("CB"); // CB(r, t) = C_t . B_{chunk start of t + r}
    CB(r, t, g, b) = 0.0f;
    CB(r, t, g, b) += C(rn, g, t, b) * Bt(c * Q + r, rn, g, b);

    Func M("M");
    M(r, t, h, b) =
        select(r <= qi,
               CB(r, t, h / hg, b) *
                   decayBetween(cumHi(qi, c, h, b), cumLo(qi, c, h, b),
                                cumHi(r, c, h, b), cumLo(r, c, h, b)) *
                   dtc(r, c, h, b),
               0.0f);
    // The full chunk width: M is zero above the diagonal, and a per-row
    // bound would stop the rows of a register tile sharing one loop.
    RDom rr(0, Q, "rr");
    Func yDiag("yDiag");
    yDiag(p, h, t, b) = 0.0f;
    yDiag(p, h, t, b) += M(rr, t, h, b) * x(p, h, min(c * Q + rr, L - 1), b);
    Func yOff("yOff");
    yOff(p, h, t, b) = 0.0f;
    yOff(p, h, t, b) += C(rn, h / hg, t, b) * prev(p, rn, h, c, b);
    Expr cumT = cumHi(qi, c, h, b) + cumLo(qi, c, h, b);
    y(p, h, t, b) = yDiag(p, h, t, b) + expNonPositive(min(cumT, 0.0f)) * yOff(p, h, t, b) +
                    D(h) * x(p, h, t, b);

    if (auto_schedule) {
      // Estimates for an autoscheduler trial (Mamba-2 head, L = 1024, Q = 64).
      x.set_estimates({{0, 64}, {0, 8}, {0, 1024}, {0, 1}});
      B.set_estimates({{0, 128}, {0, 1}, {0, 1024}, {0, 1}});
      C.set_estimates({{0, 128}, {0, 1}, {0, 1024}, {0, 1}});
      D.set_estimates({{0, 8}});
      for (auto *in : {&dtc, &cumHi, &cumLo})
        in->set_estimates({{0, 64}, {0, 16}, {0, 8}, {0, 1}});
      prev.set_estimates({{0, 64}, {0, 128}, {0, 8}, {0, 16}, {0, 1}});
      y.set_estimates({{0, 64}, {0, 8}, {0, 1024}, {0, 1}});
      return;
    }
    // A task is (batch, row block of T rows); CB for the block is computed once
    // and shared by all heads; per head, M, then the two products in register
    // tiles of 4 rows x 2 vectors of p (constant-size when P and L fill a
    // tile, guarded otherwise).
    const int vec = natural_vector_size<float>();
    const int T = 16;
    Expr P = x.dim(0).extent();
    Expr fits = P >= 2 * vec && L >= T;
    Var to("to"), ti("ti"), tio("tio"), tii("tii"), po("po"), pi("pi"),
        task("task");
    Bt.compute_root().parallel(g).vectorize(j, vec, TailStrategy::GuardWithIf);
    y.specialize(fits)
        .split(t, to, ti, T, TailStrategy::ShiftInwards)
        .split(ti, tio, tii, 4)
        .split(p, po, pi, 2 * vec, TailStrategy::ShiftInwards)
        .reorder(pi, tii, po, tio, h, to, b)
        .vectorize(pi, vec)
        .unroll(pi)
        .unroll(tii)
        .fuse(to, b, task)
        .parallel(task);
    y.split(t, to, ti, T, TailStrategy::GuardWithIf)
        .split(ti, tio, tii, 4, TailStrategy::GuardWithIf)
        .split(p, po, pi, 2 * vec, TailStrategy::GuardWithIf)
        .reorder(pi, tii, po, tio, h, to, b)
        .vectorize(pi, vec)
        .fuse(to, b, task)
        .parallel(task);
    CB.compute_at(y, task).vectorize(r, vec, TailStrategy::GuardWithIf);
    CB.update().reorder(r, rn, t, g).vectorize(r, vec, TailStrategy::GuardWithIf);
    M.compute_at(y, h).vectorize(r, vec, TailStrategy::GuardWithIf);
    yDiag.compute_at(y, po).vectorize(p, vec, TailStrategy::GuardWithIf);
    yDiag.update()
        .specialize(fits)
        .reorder(p, t, rr)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(t);
    yDiag.update().reorder(p, t, rr).vectorize(p, vec, TailStrategy::GuardWithIf);
    yOff.compute_at(y, po).vectorize(p, vec, TailStrategy::GuardWithIf);
    yOff.update()
        .specialize(fits)
        .reorder(p, t, rn)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(t);
    yOff.update().reorder(p, t, rn).vectorize(p, vec, TailStrategy::GuardWithIf);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(ChunkCumsum, ssd_chunk_cumsum)
HALIDE_REGISTER_GENERATOR(ChunkState, ssd_chunk_state)
HALIDE_REGISTER_GENERATOR(StatePass, ssd_state_pass)
HALIDE_REGISTER_GENERATOR(ChunkOutput, ssd_chunk_output)
