// Halide generators for the RMSNorms: rmsnorm_gated (grouped, optional SiLU
// gate, norm_before_gate either way) and rmsnorm_residual (residual add kept in
// fp32, then RMSNorm). Rows are independent; Halide dims (d, row).
#include "common.h"

using namespace Halide;
using namespace ssdc::cpu_gen;

namespace {

class RmsnormGated : public Generator<RmsnormGated> {
public:
  Input<Buffer<float>> x{"x", 2};
  Input<Buffer<float>> z{"z", 2};
  Input<Buffer<float>> w{"w", 1};
  Input<int> groupSize{"group_size"};
  Input<float> eps{"eps"};
  Input<bool> normBeforeGate{"norm_before_gate"};
  Input<bool> hasGate{"has_gate"};
  Output<Buffer<float>> out{"out", 2};

  void generate() {
    Var i("i"), r("r"), gi("gi");
    Func gate("gate"), u("u"), ss("ss");
    gate(i, r) = select(hasGate, siluF(z(i, r)), 1.0f);
    u(i, r) = select(normBeforeGate, x(i, r), x(i, r) * gate(i, r));
    RDom rk(0, groupSize, "rk");
    ss(gi, r) = 0.0f;
    ss(gi, r) += u(gi * groupSize + rk, r) * u(gi * groupSize + rk, r);
    Expr inv = 1.0f / sqrt(ss(i / groupSize, r) / cast<float>(groupSize) + eps);
    out(i, r) = u(i, r) * inv * w(i) * select(normBeforeGate, gate(i, r), 1.0f);

    const int vec = natural_vector_size<float>();
    out.vectorize(i, vec, TailStrategy::GuardWithIf).parallel(r, 4, TailStrategy::GuardWithIf);
    ss.compute_at(out, r);
  }
};

class RmsnormResidual : public Generator<RmsnormResidual> {
public:
  Input<Buffer<float>> hidden{"hidden", 2};
  Input<Buffer<float>> residual{"residual", 2};
  Input<Buffer<float>> w{"w", 1};
  Input<float> eps{"eps"};
  Input<bool> hasResidual{"has_residual"};
  Output<Buffer<float>> out{"out", 2};
  Output<Buffer<float>> residualOut{"residual_out", 2};

  void generate() {
    Var i("i"), r("r");
    Expr d = hidden.dim(0).extent();
    residualOut(i, r) =
        hidden(i, r) + select(hasResidual, residual(i, r), 0.0f);
    RDom rk(0, d, "rk");
    Func ss("ss");
    ss(r) = 0.0f;
    ss(r) += residualOut(rk, r) * residualOut(rk, r);
    out(i, r) = residualOut(i, r) * (1.0f / sqrt(ss(r) / cast<float>(d) + eps)) * w(i);

    const int vec = natural_vector_size<float>();
    residualOut.vectorize(i, vec, TailStrategy::GuardWithIf).parallel(r, 4, TailStrategy::GuardWithIf);
    out.vectorize(i, vec, TailStrategy::GuardWithIf).parallel(r, 4, TailStrategy::GuardWithIf);
    ss.compute_at(out, r);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(RmsnormGated, rmsnorm_gated)
HALIDE_REGISTER_GENERATOR(RmsnormResidual, rmsnorm_residual)
