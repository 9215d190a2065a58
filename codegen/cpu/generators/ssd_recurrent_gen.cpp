// Halide generators for the recurrent SSD schedule: the prefill scan
// (ssd_recurrent) and the one-token decode step (ssd_step).
//
// Scan: for each (batch, head) one buffer F(p, i) with i in [0, N + L): rows
// i < N hold the state S[:, n] (p innermost), rows N + t accumulate y_t. One
// update walks t in order; inside a step the first N iterations update the state
// columns and the next N accumulate y_t += S[:, n] * C_t[n], so the state is
// never materialised per step and y_t is built while S_t is live.
// Halide dims are innermost first: x (p,h,t,b), dt (h,t,b), B/C (n,g,t,b),
// state (n,p,h,b), y (p,h,t,b).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class SsdRecurrent : public Generator<SsdRecurrent> {
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
    Var p("p"), i("i"), h("h"), t("t"), b("b"), n("n");
    Expr H = x.dim(1).extent(), L = x.dim(2).extent();
    Expr N = B.dim(0).extent(), G = B.dim(1).extent();
    Expr hg = H / G;

    // The state update is decayStep (common.h): S + (expm1(dt A) S + dt x B)
    // while the decay is near 1, exp(dt A) S + dt x B otherwise.
    Func dtp("dtp"), decayA("decayA"), decayM1("decayM1");
    dtp(t, h, b) = processDt(dt(h, t, b), dtBias(h), dtSoftplus, dtMin, dtMax);
    decayA(t, h, b) = expNonPositive(min(dtp(t, h, b) * A(h), 0.0f));
    decayM1(t, h, b) = expm1NonPositive(min(dtp(t, h, b) * A(h), 0.0f));

    Func F("F");
    Expr tIn = clamp(i - N, 0, L - 1);
    F(p, i, h, b) = select(i < N, initState(min(i, N - 1), p, h, b),
                           D(h) * x(p, h, tIn, b));
    RDom r(0, 2 * N, 0, L, "r");
    Expr rk = r.x, rt = r.y, g = h / hg;
    Expr kS = min(rk, N - 1), kY = clamp(rk - N, 0, N - 1);
    Expr sOld = F(p, kS, h, b);
    Expr stateNew = decayStep(sOld, decayA(rt, h, b), decayM1(rt, h, b),
                              dtp(rt, h, b) * x(p, h, rt, b) * B(kS, g, rt, b));
    Expr yNew = F(p, N + rt, h, b) + F(p, kY, h, b) * C(kY, g, rt, b);
    F(p, select(rk < N, rk, N + rt), h, b) =
        select(rk < N, likely(stateNew), yNew);

    y(p, h, t, b) = F(p, N + t, h, b);
    finalState(n, p, h, b) = F(p, n, h, b);

    // Schedule: one task per (batch, head); p vectorised.
    const int vec = natural_vector_size<float>();
    Var hb("hb"), po("po"), pi("pi");
    dtp.compute_root().parallel(b);
    decayA.compute_root().parallel(b);
    decayM1.compute_root().parallel(b);
    F.compute_root();
    F.fuse(h, b, hb).parallel(hb).vectorize(p, vec, TailStrategy::GuardWithIf);
    F.update()
        .split(p, po, pi, vec, TailStrategy::GuardWithIf)
        .vectorize(pi)
        .reorder(pi, po, r.x, r.y, h, b)
        .fuse(h, b, hb)
        .parallel(hb);
    y.vectorize(p, vec, TailStrategy::GuardWithIf).parallel(b);
    finalState.parallel(b);
  }
};

class SsdStep : public Generator<SsdStep> {
public:
  Input<Buffer<float>> x{"x", 3};          // (p, h, b)
  Input<Buffer<float>> dt{"dt", 2};        // (h, b)
  Input<Buffer<float>> A{"A", 1};
  Input<Buffer<float>> B{"B", 3};          // (n, g, b)
  Input<Buffer<float>> C{"C", 3};
  Input<Buffer<float>> D{"D", 1};
  Input<Buffer<float>> dtBias{"dt_bias", 1};
  Input<Buffer<float>> state{"state", 4};  // (n, p, h, b)
  Input<float> dtMin{"dt_min"};
  Input<float> dtMax{"dt_max"};
  Input<bool> dtSoftplus{"dt_softplus"};
  Output<Buffer<float>> stateOut{"state_out", 4};
  Output<Buffer<float>> y{"y", 3};

  void generate() {
    Var n("n"), p("p"), h("h"), b("b");
    Expr H = x.dim(1).extent(), N = B.dim(0).extent(), G = B.dim(1).extent();
    Expr g = h / (H / G);
    Func dtp("dtp");
    dtp(h, b) = processDt(dt(h, b), dtBias(h), dtSoftplus, dtMin, dtMax);
    // decayStep (common.h), as in the scan above.
    Func aF("aF"), aM1F("aM1F");
    aF(h, b) = expNonPositive(min(dtp(h, b) * A(h), 0.0f));
    aM1F(h, b) = expm1NonPositive(min(dtp(h, b) * A(h), 0.0f));
    // In place is allowed (state_out aliasing state): element (n,p,h,b) of
    // state is read only to write the same element, and y reads state_out.
    stateOut(n, p, h, b) = decayStep(state(n, p, h, b), aF(h, b), aM1F(h, b),
                                     dtp(h, b) * x(p, h, b) * B(n, g, b));
    RDom rn(0, N, "rn");
    y(p, h, b) = D(h) * x(p, h, b);
    y(p, h, b) += stateOut(rn, p, h, b) * C(rn, g, b);

    const int vec = natural_vector_size<float>();
    dtp.compute_root();
    aF.compute_root();
    aM1F.compute_root();
    stateOut.vectorize(n, vec, TailStrategy::GuardWithIf).parallel(h);
    y.parallel(h);
    y.update().parallel(h);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(SsdRecurrent, ssd_recurrent)
HALIDE_REGISTER_GENERATOR(SsdStep, ssd_step)
