// Halide generator for the quadratic SSD schedule (ssd_quadratic): per head it
// materialises M = L o (C B^T) (times dt_j) in blocks of rows, multiplies by x,
// adds the initial-state term exp(cum_i) C_i S0 and D x, and produces the final
// state exp(cum_last) S0 + sum_j exp(cum_last - cum_j) dt_j x_j B_j^T.
// C B^T is computed once per group and row block, shared by the group's heads.
// Halide dims innermost first: x (p,h,t,b), dt (h,t,b), B/C (n,g,t,b),
// state (n,p,h,b), y (p,h,t,b).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class SsdQuadratic : public Generator<SsdQuadratic> {
public:
  Input<Buffer<float>> x{"x", 4};
  Input<Buffer<float>> dt{"dt", 3};
  Input<Buffer<float>> A{"A", 1};
  Input<Buffer<float>> B{"B", 4};
  Input<Buffer<float>> C{"C", 4};
  Input<Buffer<float>> D{"D", 1};
  Input<Buffer<float>> dtBias{"dt_bias", 1};
  Input<Buffer<float>> initState{"init_state", 4};
  Input<float> dtMin{"dt_min"};
  Input<float> dtMax{"dt_max"};
  Input<bool> dtSoftplus{"dt_softplus"};
  Output<Buffer<float>> y{"y", 4};
  Output<Buffer<float>> finalState{"final_state", 4};

  void generate() {
    Var p("p"), n("n"), h("h"), t("t"), b("b"), j("j"), g("g");
    Expr P = x.dim(0).extent(), H = x.dim(1).extent(), L = x.dim(2).extent();
    Expr N = B.dim(0).extent(), G = B.dim(1).extent();
    Expr hg = H / G;

    // dt processing and the compensated cumulative log-decay per (b, h).
    Func dtp("dtp"), cum("cum");
    dtp(t, h, b) = processDt(dt(h, t, b), dtBias(h), dtSoftplus, dtMin, dtMax);
    cum(t, h, b) = Tuple(0.0f, 0.0f);
    RDom rt(0, L, "rt");
    Expr prevT = max(rt - 1, 0);
    Expr hiPrev = select(rt > 0, cum(prevT, h, b)[0], 0.0f);
    Expr loPrev = select(rt > 0, cum(prevT, h, b)[1], 0.0f);
    cum(rt, h, b) = twoSumStep(hiPrev, loPrev, dtp(rt, h, b) * A(h));

    // B transposed so that C B^T vectorises over the key index j.
    Func Bt("Bt");
    Bt(j, n, g, b) = B(n, g, j, b);
    RDom rn(0, N, "rn");
    Func CB("CB");
    CB(j, t, g, b) = 0.0f;
    CB(j, t, g, b) += C(rn, g, min(t, L - 1), b) * Bt(j, rn, g, b);

    // Causal decay matrix for head h times dt_j (rows past L, which the
    // 4-row blocks below may touch, read row L - 1 and are never stored).
    Func M("M");
    Expr tc = min(t, L - 1);
    M(j, t, h, b) = select(j <= t,
                           CB(j, tc, h / hg, b) *
                               decayBetween(cum(tc, h, b)[0], cum(tc, h, b)[1],
                                            cum(j, h, b)[0], cum(j, h, b)[1]) *
                               dtp(j, h, b),
                           0.0f);

    // Initial state, p innermost.
    Func S0("S0");
    S0(p, n, h, b) = initState(n, p, h, b);

    // M x over blocks of 4 rows (t = 4 tb + i4): the key loop stops at the
    // block's last row, so the work is causal and the 4 rows share one loop.
    Var i4("i4"), tb("tb");
    Expr t4 = tb * 4 + i4;
    Func yAcc("yAcc");
    RDom rj(0, L, "rj");
    rj.where(rj < tb * 4 + 4);
    yAcc(p, i4, tb, h, b) = 0.0f;
    yAcc(p, i4, tb, h, b) += M(rj, t4, h, b) * x(p, h, rj, b);
    Func yInit("yInit");
    yInit(p, h, t, b) = 0.0f;
    yInit(p, h, t, b) += C(rn, h / hg, t, b) * S0(p, rn, h, b);
    Expr cumT = cum(t, h, b)[0] + cum(t, h, b)[1];
    y(p, h, t, b) = yAcc(p, t % 4, t / 4, h, b) +
                    expNonPositive(min(cumT, 0.0f)) * yInit(p, h, t, b) +
                    D(h) * x(p, h, t, b);

    // Final state, p innermost, then transposed to (n, p, h, b).
    Func fs("fs");
    Expr hiL = cum(L - 1, h, b)[0], loL = cum(L - 1, h, b)[1];
    Func wl("wl"); // exp(cum_last - cum_j) dt_j
    wl(t, h, b) = decayBetween(hiL, loL, cum(t, h, b)[0], cum(t, h, b)[1]) *
                  dtp(t, h, b);
    RDom rl(0, L, "rl");
    Func fsAcc("fsAcc");
    fsAcc(p, n, h, b) = expNonPositive(min(hiL + loL, 0.0f)) * S0(p, n, h, b);
    fsAcc(p, n, h, b) += wl(rl, h, b) * x(p, h, rl, b) * B(n, h / hg, rl, b);
    fs(p, n, h, b) = fsAcc(p, n, h, b);
    finalState(n, p, h, b) = fs(p, n, h, b);

    // Schedule. Rows in blocks of T; a task is (batch, group, row block) and
    // loops over the group's heads so C B^T is reused.
    const int vec = natural_vector_size<float>();
    const int T = 16;
    Var to("to"), ti("ti"), go("go"), hi("hi"), task("task");
    dtp.compute_root().parallel(b);
    cum.compute_root().parallel(h);
    cum.update().parallel(h);
    Bt.compute_root().parallel(g);
    S0.compute_root().parallel(h);

    // Register tiles: 4 rows x 2 vectors of p, constant-size when P fills a
    // tile (p ShiftInwards), guarded otherwise. Row splits are aligned
    // (GuardWithIf) so each 4-row tile is exactly one block tb.
    Expr fits = P >= 2 * vec;
    Var tio("tio"), tii("tii"), po("po"), pi("pi");
    y.specialize(fits)
        .split(t, to, ti, T, TailStrategy::GuardWithIf)
        .split(ti, tio, tii, 4, TailStrategy::GuardWithIf)
        .split(h, go, hi, hg, TailStrategy::GuardWithIf)
        .split(p, po, pi, 2 * vec, TailStrategy::ShiftInwards)
        .reorder(pi, tii, po, tio, hi, to, go, b)
        .vectorize(pi, vec)
        .fuse(to, go, task)
        .fuse(task, b, task)
        .parallel(task);
    y.split(t, to, ti, T, TailStrategy::GuardWithIf)
        .split(ti, tio, tii, 4, TailStrategy::GuardWithIf)
        .split(h, go, hi, hg, TailStrategy::GuardWithIf)
        .split(p, po, pi, 2 * vec, TailStrategy::GuardWithIf)
        .reorder(pi, tii, po, tio, hi, to, go, b)
        .vectorize(pi, vec)
        .fuse(to, go, task)
        .fuse(task, b, task)
        .parallel(task);
    CB.compute_at(y, task).vectorize(j, vec, TailStrategy::GuardWithIf);
    CB.update()
        .vectorize(j, vec, TailStrategy::GuardWithIf)
        .reorder(j, rn, t, g, b);
    M.compute_at(y, hi).vectorize(j, vec, TailStrategy::GuardWithIf);
    yAcc.compute_at(y, po)
        .bound(i4, 0, 4)
        .vectorize(p, vec, TailStrategy::GuardWithIf);
    yAcc.update()
        .specialize(fits)
        .reorder(p, i4, rj)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(i4);
    yAcc.update().reorder(p, i4, rj).vectorize(p, vec, TailStrategy::GuardWithIf);
    yInit.compute_at(y, po).vectorize(p, vec, TailStrategy::GuardWithIf);
    yInit.update()
        .specialize(fits)
        .reorder(p, t, rn)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(t);
    yInit.update().reorder(p, t, rn).vectorize(p, vec, TailStrategy::GuardWithIf);

    // Final state: register tiles of 2 vectors of p x 4 of n (as in
    // ssd_chunk_state), constant-size when P and N fill a tile.
    Expr fitsState = P >= 2 * vec && N >= 4;
    Var no("no"), ni("ni"), hb("hb");
    wl.compute_root().parallel(h);
    fs.compute_root();
    fs.specialize(fitsState)
        .tile(p, n, po, no, pi, ni, 2 * vec, 4, TailStrategy::ShiftInwards)
        .vectorize(pi, vec)
        .unroll(pi)
        .unroll(ni)
        .fuse(h, b, hb)
        .parallel(hb);
    fs.tile(p, n, po, no, pi, ni, 2 * vec, 4, TailStrategy::GuardWithIf)
        .vectorize(pi, vec)
        .fuse(h, b, hb)
        .parallel(hb);
    fsAcc.compute_at(fs, po).vectorize(p, vec, TailStrategy::GuardWithIf);
    fsAcc.update()
        .specialize(fitsState)
        .reorder(p, n, rl)
        .vectorize(p, vec)
        .unroll(p)
        .unroll(n);
    fsAcc.update().reorder(p, n, rl).vectorize(p, vec, TailStrategy::GuardWithIf);
    finalState.parallel(b);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(SsdQuadratic, ssd_quadratic)
