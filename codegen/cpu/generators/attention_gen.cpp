// Halide generator for causal softmax attention with grouped-query heads and
// RoPE (neox half rotation on the first rotary_dim dims). The cos/sin tables
// (t, i) for i < rotary_dim/2 come from the caller (computed in double there:
// fp32 angles pos * freq lose ~1e-4 rad at pos 4096). Halide dims:
// q/out (e,h,t,b), k/v (e,hkv,t,b), cos/sin (i,t).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class Attention : public Generator<Attention> {
public:
  Input<Buffer<float>> q{"q", 4};
  Input<Buffer<float>> k{"k", 4};
  Input<Buffer<float>> v{"v", 4};
  Input<Buffer<float>> cosT{"cos", 2};
  Input<Buffer<float>> sinT{"sin", 2};
  Input<int> rotaryDim{"rotary_dim"};
  Output<Buffer<float>> out{"out", 4};

  // Applies RoPE to f (e, h, t, b) reading the tables at row t.
  Func rope(Func f, const std::string &name) {
    Var e("e"), h("h"), t("t"), b("b");
    Expr half = rotaryDim / 2;
    Expr lo = clamp(e, 0, max(half - 1, 0));
    Expr hiIdx = clamp(e - half, 0, max(half - 1, 0));
    // f is clamped in e, so the partner index needs no bounds care.
    Expr partner = f(select(e < half, e + half, e - half), h, t, b);
    Expr rotLo = f(e, h, t, b) * cosT(lo, t) - partner * sinT(lo, t);
    Expr rotHi = f(e, h, t, b) * cosT(hiIdx, t) + partner * sinT(hiIdx, t);
    Func r(name);
    r(e, h, t, b) = select(e < half, rotLo, select(e < 2 * half, rotHi, f(e, h, t, b)));
    return r;
  }

  void generate() {
    Var e("e"), h("h"), t("t"), b("b"), j("j"), i("i");
    Expr Dh = q.dim(0).extent(), HQ = q.dim(1).extent(), L = q.dim(2).extent();
    Expr HK = k.dim(1).extent();
    Expr rep = HQ / HK;
    Expr scale = 1.0f / sqrt(cast<float>(Dh));

    Func qIn("qIn"), kIn("kIn");
    qIn(e, h, t, b) = q(clamp(e, 0, Dh - 1), h, t, b);
    kIn(e, h, t, b) = k(clamp(e, 0, Dh - 1), h, t, b);
    Func qr = rope(qIn, "qr");
    Func kr = rope(kIn, "kr");
    Func krT("krT"); // (j, e, hk, b): keys innermost for the score product
    krT(j, e, h, b) = kr(e, h, j, b);

    RDom re(0, Dh, "re");
    Func score("score");
    score(j, i, h, b) = 0.0f;
    score(j, i, h, b) += qr(re, h, i, b) * krT(j, re, h / rep, b);
    RDom rj(0, L, "rj");
    rj.where(rj <= i);
    Func mx("mx"), den("den"), pr("pr"), acc("acc");
    mx(i, h, b) = cast<float>(-3.0e38f);
    mx(i, h, b) = max(mx(i, h, b), score(rj, i, h, b));
    pr(j, i, h, b) = expNonPositive(min((score(j, i, h, b) - mx(i, h, b)) * scale, 0.0f));
    den(i, h, b) = 0.0f;
    den(i, h, b) += pr(rj, i, h, b);
    acc(e, h, i, b) = 0.0f;
    acc(e, h, i, b) += pr(rj, i, h, b) * v(e, h / rep, rj, b);
    out(e, h, i, b) = acc(e, h, i, b) / den(i, h, b);

    const int vec = natural_vector_size<float>();
    Var io("io"), ii("ii"), task("task");
    qr.compute_root().parallel(t);
    krT.compute_root().parallel(h).vectorize(j, vec, TailStrategy::GuardWithIf);
    out.split(i, io, ii, 16, TailStrategy::GuardWithIf)
        .vectorize(e, vec, TailStrategy::GuardWithIf)
        .reorder(e, ii, h, io, b)
        .fuse(h, io, task)
        .fuse(task, b, task)
        .parallel(task);
    score.compute_at(out, task).vectorize(j, vec, TailStrategy::GuardWithIf);
    score.update().reorder(j, re, i).vectorize(j, vec, TailStrategy::GuardWithIf);
    mx.compute_at(out, task);
    den.compute_at(out, task);
    pr.compute_at(out, task).vectorize(j, vec, TailStrategy::GuardWithIf);
    acc.compute_at(out, task).vectorize(e, vec, TailStrategy::GuardWithIf);
    acc.update().reorder(e, rj, i).vectorize(e, vec, TailStrategy::GuardWithIf);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(Attention, attention)
