// The non-SSD device templates against the float64 reference: causal conv1d
// with its window state (prefill, one-token step, prefill + steps), grouped
// gated RMSNorm (both norm_before_gate orders, no gate, G = 1 and G > 1),
// embedding (and the NaN it writes for an id out of range), the unary ops,
// the broadcast add/mul and the split column copy — in f32 and in the
// mixed f32/bf16 instantiations a bf16 plan uses (kernels.cu of
// `ssdc compile --dtype bf16`). Shapes follow test/unit/numerics
// (conv1d_test.cpp, norm_test.cpp, elementwise_test.cpp) plus the mamba2-130m
// sizes. Errors are max|a − e| / max|e| over the tensor.
#include "check.h"

#include "conv1d.cuh"
#include "elementwise.cuh"
#include "embedding.cuh"
#include "rmsnorm.cuh"

#include "ssdc/reference.h"

using namespace ssdc::cuda;

namespace kcheck {
namespace {

template <typename TX, typename TW, typename TY> __global__ void conv1dG(Conv1dParams p) {
  conv1dKernel<TX, TW, TY>(p);
}
template <typename TX, typename TW, typename TZ, typename TY>
__global__ void rmsnormG(RmsnormParams p) {
  rmsnormKernel<TX, TW, TZ, TY>(p);
}
template <typename T> __global__ void embeddingG(EmbeddingParams p) { embeddingKernel<T>(p); }
template <Unary Op, typename TI, typename TO> __global__ void unaryG(UnaryParams p) {
  unaryKernel<Op, TI, TO>(p);
}
template <bool Mul, typename TA, typename TB, typename TO>
__global__ void binaryG(BinaryParams p) {
  binaryKernel<Mul, TA, TB, TO>(p);
}
template <typename T> __global__ void copyColumnsG(CopyColumnsParams p) {
  copyColumnsKernel<T>(p);
}

std::mt19937 rngFor(unsigned salt) { return std::mt19937(options().seed + salt); }

// ---- conv1d -------------------------------------------------------------------

struct ConvCase {
  int b, l, c, k;
  bool init, silu;
  unsigned seed;
  bool finalState = true;
  /// > c: x is columns [8, 8 + c) of rows xCols wide, read in place
  /// (Conv1dParams::xRow, a column view of the in_proj output); NaN around it.
  int xCols = 0;
};

std::string convShape(const ConvCase &c) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "b%d l%d c%d K%d%s%s%s%s", c.b, c.l, c.c, c.k,
                c.init ? " init" : " no-init", c.silu ? " silu" : "",
                c.finalState ? "" : " no-final-state", c.xCols ? " x strided" : "");
  return buf;
}

/// One conv1d launch (runLaunch's geometry: ssdc/decode_launch.h conv1dLaunch).
template <typename T>
void runConv(const ConvCase &c, const std::vector<float> &x, const std::vector<float> &w,
             const std::vector<float> &bias, const std::vector<float> &init,
             std::vector<double> &y, std::vector<double> &fin) {
  Arena a;
  const void *xin = nullptr;
  if (c.xCols > 0) {  // x inside wider rows, NaN in the other columns
    std::vector<float> rows(size_t(c.b) * c.l * c.xCols, std::nanf(""));
    for (size_t r = 0; r < size_t(c.b) * c.l; ++r)
      for (int j = 0; j < c.c; ++j)
        rows[r * c.xCols + 8 + j] = x[r * c.c + j];
    xin = static_cast<const T *>(a.in<T>(rows, "x rows")) + 8;
  } else {
    xin = a.in<T>(x, "x");
  }
  Conv1dParams p{xin,
                 a.in<T>(w, "w"),
                 a.in<T>(bias, "bias"),
                 c.init ? a.in<float>(init, "state") : nullptr,
                 a.out<T>(x.size(), "y"),
                 c.finalState ? a.out<float>(size_t(c.b) * c.c * c.k, "final state")
                              : nullptr,
                 c.b,
                 c.l,
                 c.c,
                 c.k,
                 c.silu ? 1 : 0,
                 c.xCols};
  DecodeLaunch g = conv1dLaunch(c.b, c.l, c.c);
  launch(conv1dG<T, T, T>, g.grid, g.block, g.smemBytes, p, "conv1d");
  y = Arena::fetch(static_cast<T *>(p.y), x.size(), "y");
  if (c.finalState)
    fin = Arena::fetch(p.finalState, size_t(c.b) * c.c * c.k, "final state");
}

template <typename T> void checkConv(const ConvCase &c) {
  std::mt19937 rng = rngFor(c.seed);
  auto x = representable<T>(uniform(rng, size_t(c.b) * c.l * c.c, -1, 1));
  auto w = representable<T>(uniform(rng, size_t(c.c) * c.k, -1, 1));
  auto bias = representable<T>(uniform(rng, c.c, -1, 1));
  auto init = uniform(rng, size_t(c.b) * c.c * c.k, -1, 1);
  std::vector<double> y, fin;
  runConv<T>(c, x, w, bias, init, y, fin);
  auto xd = wide(x), wd = wide(w), bd = wide(bias), id = wide(init);
  std::vector<double> ry(x.size()), rf(init.size());
  ssdc::ref::conv1d(c.b, c.l, c.c, c.k, xd.data(), wd.data(), bd.data(),
                    c.init ? id.data() : nullptr, c.silu, ry.data(), rf.data());
  std::string kernel = std::string("conv1d ") + typeName<T>();
  report(kernel, convShape(c), "y", relErr(y, ry), tolFor<T>());
  if (c.finalState)
    report(kernel, convShape(c), "final state", relErr(fin, rf), tolFor<T>());
}

/// prefill(l) then k one-token steps (each with the previous window) against
/// ref::conv1dStep after ref::conv1d.
template <typename T> void checkConvSteps(int b, int l, int ch, int K, int steps,
                                          unsigned seed) {
  std::mt19937 rng = rngFor(seed);
  int total = l + steps;
  auto x = representable<T>(uniform(rng, size_t(b) * total * ch, -1, 1));
  auto w = representable<T>(uniform(rng, size_t(ch) * K, -1, 1));
  auto bias = representable<T>(uniform(rng, ch, -1, 1));
  auto tokens = [&](int t0, int t1) {
    std::vector<float> v;
    for (int bi = 0; bi < b; ++bi)
      v.insert(v.end(), x.begin() + (size_t(bi) * total + t0) * ch,
               x.begin() + (size_t(bi) * total + t1) * ch);
    return v;
  };
  std::vector<double> y, fin;
  ConvCase pre{b, l, ch, K, false, true, seed};
  runConv<T>(pre, tokens(0, l), w, bias, {}, y, fin);
  auto wd = wide(w), bd = wide(bias);
  std::vector<double> ry(size_t(b) * l * ch), rstate(size_t(b) * ch * K);
  auto xd = wide(tokens(0, l));
  ssdc::ref::conv1d(b, l, ch, K, xd.data(), wd.data(), bd.data(), nullptr, true, ry.data(),
                    rstate.data());
  double worstY = relErr(y, ry), worstS = 0;
  for (int t = l; t < total; ++t) {
    ConvCase step{b, 1, ch, K, true, true, seed};
    std::vector<float> init(fin.begin(), fin.end());
    std::vector<double> sy, sfin;
    runConv<T>(step, tokens(t, t + 1), w, bias, init, sy, sfin);
    auto sx = wide(tokens(t, t + 1));
    std::vector<double> ref(size_t(b) * ch);
    ssdc::ref::conv1dStep(b, ch, K, sx.data(), wd.data(), bd.data(), true, rstate.data(),
                          ref.data());
    worstY = std::max(worstY, relErr(sy, ref));
    worstS = std::max(worstS, relErr(sfin, rstate));
    fin = sfin;
  }
  char shape[160];
  std::snprintf(shape, sizeof shape, "b%d prefill %d + %d steps c%d K%d silu", b, l,
                steps, ch, K);
  std::string kernel = std::string("conv1d prefill+steps ") + typeName<T>();
  report(kernel, shape, "y (every token)", worstY, tolFor<T>());
  report(kernel, shape, "state (every step)", worstS, tolFor<T>());
}

void convChecks() {
  // test/unit/numerics/conv1d_test.cpp, the mamba2-130m conv (c 1792, K 4),
  // and a case without a final-state output.
  const ConvCase cases[] = {{1, 1, 8, 4, true, true, 401},    {2, 3, 19, 4, true, false, 402},
                            {2, 100, 40, 4, false, true, 403}, {1, 257, 33, 3, true, true, 404},
                            {3, 64, 16, 2, true, false, 405},  {1, 40, 1792, 4, false, true, 406},
                            {2, 1, 1792, 4, true, true, 407},  {1, 33, 24, 4, true, true, 408, false},
                            // conv1d.cuh's register window at its widest (K 8), beyond
                            // it (K 9: the direct loop), and tiles ending mid-sequence.
                            {2, 37, 20, 8, true, true, 409},   {1, 50, 12, 9, true, true, 410},
                            {2, 17, 5, 1, true, true, 411},
                            // x read in place from wider rows (the in_proj output's xBC)
                            {2, 70, 40, 4, true, true, 412, true, 100},
                            {1, 33, 24, 4, false, true, 413, true, 33}};
  for (const ConvCase &c : cases) {
    checkConv<float>(c);
    checkConv<bf16>(c);
  }
  std::mt19937 shapes = rngFor(420);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(shapes); };
  for (int i = 0; i < 20; ++i) {
    ConvCase c{pick(1, 3), pick(1, 90), pick(1, 50), pick(1, 5), pick(0, 1) == 1,
               pick(0, 1) == 1, 430u + unsigned(i)};
    checkConv<float>(c);
  }
  checkConvSteps<float>(2, 9, 40, 4, 7, 440);
  checkConvSteps<float>(1, 2, 1792, 4, 5, 441);  // prompt shorter than K
  checkConvSteps<bf16>(2, 9, 40, 4, 7, 440);
}

// ---- rmsnorm --------------------------------------------------------------------

struct NormCase {
  int rows, d, group;
  bool normBeforeGate, gate;
  unsigned seed;
  /// > d: z is columns [8, 8 + d) of rows zCols wide, read in place
  /// (RmsnormParams::zRow, the in_proj output's z); NaN around it.
  int zCols = 0;
};

/// rmsnorm<TX, TW, TZ, TY> with runLaunch's geometry (ssdc/decode_launch.h
/// rmsnormLaunch: one CTA per (row, group)).
template <typename TX, typename TW, typename TZ, typename TY> void checkNorm(const NormCase &c) {
  std::mt19937 rng = rngFor(c.seed);
  auto x = uniform(rng, size_t(c.rows) * c.d, -2, 2);
  for (size_t i = 0; i < x.size(); ++i)  // groups of different scales
    x[i] *= 1.0f + float((i % c.d) / c.group);
  x = representable<TX>(x);
  auto z = representable<TZ>(uniform(rng, x.size(), -2, 2));
  auto w = representable<TW>(uniform(rng, c.d, 0.5f, 1.5f));
  Arena a;
  const void *zin = nullptr;
  if (c.gate && c.zCols > 0) {  // z inside wider rows, NaN in the other columns
    std::vector<float> rows(size_t(c.rows) * c.zCols, std::nanf(""));
    for (size_t r = 0; r < size_t(c.rows); ++r)
      for (int j = 0; j < c.d; ++j)
        rows[r * c.zCols + 8 + j] = z[r * c.d + j];
    zin = static_cast<const TZ *>(a.in<TZ>(rows, "z rows")) + 8;
  } else if (c.gate) {
    zin = a.in<TZ>(z, "z");
  }
  RmsnormParams p{a.in<TX>(x, "x"), zin, a.in<TW>(w, "w"),
                  a.out<TY>(x.size(), "y"), c.rows, c.d, c.group, 1e-5f,
                  c.normBeforeGate ? 1 : 0, c.zCols};
  DecodeLaunch g = rmsnormLaunch(c.rows, c.d, c.group);
  if (g.error)
    die(std::string("rmsnormLaunch: ") + g.error);
  launch(rmsnormG<TX, TW, TZ, TY>, g.grid, g.block, g.smemBytes, p, "rmsnorm");
  auto y = Arena::fetch(static_cast<TY *>(p.y), x.size(), "y");
  auto xd = wide(x), zd = wide(z), wd = wide(w);
  std::vector<double> ref(x.size());
  ssdc::ref::rmsnormGated(c.rows, c.d, c.group, 1e-5, c.normBeforeGate, xd.data(),
                          c.gate ? zd.data() : nullptr, wd.data(), ref.data());
  char shape[160];
  std::snprintf(shape, sizeof shape, "rows %d d %d group %d %s%s", c.rows, c.d, c.group,
                !c.gate ? "no gate" : c.normBeforeGate ? "norm-then-gate" : "gate-then-norm",
                c.zCols ? " z strided" : "");
  std::string kernel = std::string("rmsnorm ") + typeName<TX>() + "," + typeName<TW>() + "," +
                       typeName<TZ>() + "," + typeName<TY>();
  bool any16 = !std::is_same<TX, float>::value || !std::is_same<TZ, float>::value ||
               !std::is_same<TY, float>::value;
  report(kernel, shape, "y", relErr(y, ref), any16 ? tolFor<bf16>() : tolFor<float>());
}

void normChecks() {
  // test/unit/numerics/norm_test.cpp, and mamba2-130m: the gated norm over
  // d_inner 1536 (one group), the plain norm over d_model 768.
  const NormCase cases[] = {{5, 64, 16, false, true, 501},   {5, 64, 16, true, true, 502},
                            {3, 96, 96, false, true, 503},   {3, 96, 96, true, true, 504},
                            {7, 60, 20, false, false, 505},  {2, 1024, 128, false, true, 506},
                            {1, 36, 12, true, true, 507},    {40, 1536, 1536, false, true, 508},
                            {40, 768, 768, false, false, 509}, {3, 3000, 1500, true, true, 510},
                            // mamba2-2.7b decode: gated over d_inner 5120 (320 threads, 2 chunks),
                            // plain over d_model 2560; b = 1 and 16
                            {1, 5120, 5120, false, true, 511},  {16, 5120, 5120, false, true, 512},
                            {1, 2560, 2560, false, false, 513}, {16, 2560, 2560, false, false, 514},
                            // groups wider than 512 threads x 2 cached chunks of 8 (the
                            // re-reading path), a tail chunk, and an odd width
                            {2, 80000, 40000, false, true, 515}, {2, 36004, 36004, true, true, 516},
                            {3, 4101, 4101, false, true, 517},
                            // z read in place from wider rows (2.7b: z is the first 5120
                            // of 10576 in_proj columns; an odd width: the scalar path)
                            {4, 5120, 5120, false, true, 518, 10576},
                            {3, 96, 32, true, true, 519, 301}};
  for (const NormCase &c : cases) {
    checkNorm<float, float, float, float>(c);
    if (c.gate)  // the gated norm of a bf16 plan
      checkNorm<bf16, float, bf16, bf16>(c);
    else  // the pre-norm of a bf16 plan: f32 residual in, bf16 out
      checkNorm<float, float, float, bf16>(c);
  }
  std::mt19937 shapes = rngFor(520);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(shapes); };
  for (int i = 0; i < 20; ++i) {
    int group = pick(1, 70), groups = pick(1, 5), rows = pick(1, 9);
    checkNorm<float, float, float, float>(
        {rows, group * groups, group, pick(0, 1) == 1, pick(0, 3) != 0, 530u + unsigned(i)});
  }
}

// ---- embedding ------------------------------------------------------------------

template <typename T> void checkEmbedding(int rows, int dim, int vocab, unsigned seed) {
  std::mt19937 rng = rngFor(seed);
  auto table = representable<T>(uniform(rng, size_t(vocab) * dim, -1, 1));
  std::vector<int64_t> ids(rows);
  std::vector<int32_t> ids32(rows);
  for (int r = 0; r < rows; ++r)
    ids32[r] = int32_t(ids[r] = std::uniform_int_distribution<int>(0, vocab - 1)(rng));
  if (rows > 2) {
    ids32[0] = int32_t(ids[0] = 0);
    ids32[rows - 1] = int32_t(ids[rows - 1] = vocab - 1);
  }
  Arena a;
  EmbeddingParams p{a.inRaw(ids, "ids"), a.in<T>(table, "table"),
                    a.out<T>(size_t(rows) * dim, "y"), rows, dim, vocab};
  launch1d(embeddingG<T>, int64_t(rows) * dim, p, "embedding");
  auto y = Arena::fetch(static_cast<T *>(p.y), size_t(rows) * dim, "y");
  auto td = wide(table);
  std::vector<double> ref(size_t(rows) * dim);
  ssdc::ref::embedding(rows, dim, vocab, ids32.data(), td.data(), ref.data());
  char shape[120];
  std::snprintf(shape, sizeof shape, "rows %d dim %d vocab %d", rows, dim, vocab);
  // A row copy: exact.
  report(std::string("embedding ") + typeName<T>(), shape, "y (exact)", relErr(y, ref), 0.0);
}

/// Ids outside [0, vocab) write NaN (the host refuses them first; the kernel
/// must still not read out of bounds).
void checkEmbeddingOutOfRange() {
  std::mt19937 rng = rngFor(610);
  const int dim = 16, vocab = 10;
  auto table = uniform(rng, size_t(vocab) * dim, -1, 1);
  std::vector<int64_t> ids{3, -1, 10, 1000000};
  Arena a;
  EmbeddingParams p{a.inRaw(ids, "ids"), a.in<float>(table, "table"),
                    a.out<float>(ids.size() * dim, "y"), int64_t(ids.size()), dim, vocab};
  launch1d(embeddingG<float>, int64_t(ids.size()) * dim, p, "embedding");
  auto y = Arena::fetch(static_cast<float *>(p.y), ids.size() * dim, "y");
  // Row 0 is table row 3; rows 1-3 must be NaN: count the elements that are not.
  double wrong = 0;
  for (int c = 0; c < dim; ++c) {
    wrong += y[c] != double(table[3 * dim + c]);
    for (int r = 1; r < 4; ++r)
      wrong += !std::isnan(y[r * dim + c]);
  }
  report("embedding f32", "ids {3, -1, vocab, 1e6}", "wrong elements (NaN rows)", wrong, 0.0);
}

// ---- elementwise --------------------------------------------------------------

template <Unary Op, typename TI, typename TO>
void checkUnary(const char *name, int64_t n, float lo, float hi, unsigned seed,
                float clampLo = 0, float clampHi = 0) {
  std::mt19937 rng = rngFor(seed);
  auto x = representable<TI>(uniform(rng, size_t(n), lo, hi));
  Arena a;
  UnaryParams p{a.in<TI>(x, "x"), a.out<TO>(size_t(n), "y"), n, clampLo, clampHi};
  launch1d(unaryG<Op, TI, TO>, n, p, name);
  auto y = Arena::fetch(static_cast<TO *>(p.y), size_t(n), "y");
  auto xd = wide(x);
  std::vector<double> ref(static_cast<size_t>(n));
  if (Op == Unary::Silu)
    ssdc::ref::siluN(n, xd.data(), ref.data());
  else if (Op == Unary::Softplus)
    ssdc::ref::softplusN(n, xd.data(), ref.data());
  else
    for (int64_t i = 0; i < n; ++i) {
      double v = xd[i];
      if (Op == Unary::Exp) v = std::exp(v);
      if (Op == Unary::Neg) v = -v;
      if (Op == Unary::Clamp) v = std::min(std::max(v, double(clampLo)), double(clampHi));
      ref[i] = v;
    }
  bool any16 = !std::is_same<TI, float>::value || !std::is_same<TO, float>::value;
  std::string kernel = std::string(name) + " " + typeName<TI>() + "->" + typeName<TO>();
  report(kernel, "n " + std::to_string(n), "y", relErr(y, ref),
         any16 ? tolFor<bf16>() : tolFor<float>());
}

/// y = a ∘ b with NumPy broadcasting, strides as runLaunch computes them.
template <bool Mul, typename TA, typename TB, typename TO>
void checkBinary(const std::vector<int64_t> &as, const std::vector<int64_t> &bs,
                 const std::vector<int64_t> &os, unsigned seed) {
  auto count = [](const std::vector<int64_t> &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
  };
  std::mt19937 rng = rngFor(seed);
  auto av = representable<TA>(uniform(rng, size_t(count(as)), -2, 2));
  auto bv = representable<TB>(uniform(rng, size_t(count(bs)), -2, 2));
  Arena arena;
  BinaryParams p{};
  p.a = arena.in<TA>(av, "a");
  p.b = arena.in<TB>(bv, "b");
  p.y = arena.out<TO>(size_t(count(os)), "y");
  p.n = count(os);
  p.rank = int(os.size());
  auto sa = broadcastStrides(as, os.size()), sb = broadcastStrides(bs, os.size());
  for (size_t d = 0; d < os.size(); ++d) {
    p.shape[d] = os[d];
    p.aStride[d] = sa[d];
    p.bStride[d] = sb[d];
  }
  launch1d(binaryG<Mul, TA, TB, TO>, p.n, p, Mul ? "mul" : "add");
  auto y = Arena::fetch(static_cast<TO *>(p.y), size_t(p.n), "y");
  // Reference: plain index arithmetic with right-aligned broadcasting.
  std::vector<double> ref(size_t(p.n));
  const size_t R = os.size();
  for (int64_t i = 0; i < p.n; ++i) {
    std::vector<int64_t> idx(R);
    int64_t rest = i;
    for (size_t d = R; d-- > 0;) {
      idx[d] = rest % os[d];
      rest /= os[d];
    }
    auto at = [&](const std::vector<int64_t> &s) {
      int64_t off = 0;
      for (size_t k = 0; k < s.size(); ++k) {
        int64_t j = idx[R - s.size() + k];
        off = off * s[k] + (s[k] == 1 ? 0 : j);
      }
      return off;
    };
    double x = av[at(as)], z = bv[at(bs)];
    ref[i] = Mul ? x * z : x + z;
  }
  auto fmt = [](const std::vector<int64_t> &s) {
    std::string t = "[";
    for (size_t k = 0; k < s.size(); ++k) t += (k ? "," : "") + std::to_string(s[k]);
    return t + "]";
  };
  bool any16 = !std::is_same<TA, float>::value || !std::is_same<TB, float>::value ||
               !std::is_same<TO, float>::value;
  std::string kernel = std::string(Mul ? "mul " : "add ") + typeName<TA>() + "," +
                       typeName<TB>() + "->" + typeName<TO>();
  report(kernel, fmt(as) + " x " + fmt(bs) + " -> " + fmt(os), "y", relErr(y, ref),
         any16 ? tolFor<bf16>() : tolFor<float>());
}

template <typename T> void checkCopyColumns(int64_t rows, int64_t width, int64_t offset,
                                            int64_t columns, unsigned seed) {
  std::mt19937 rng = rngFor(seed);
  auto src = representable<T>(uniform(rng, size_t(rows * width), -1, 1));
  Arena a;
  CopyColumnsParams p{a.in<T>(src, "src"), a.out<T>(size_t(rows * columns), "dst"), rows,
                      width, offset, columns};
  launch1d(copyColumnsG<T>, rows * columns, p, "copy columns");
  auto y = Arena::fetch(static_cast<T *>(p.dst), size_t(rows * columns), "dst");
  std::vector<double> ref(size_t(rows * columns));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      ref[r * columns + c] = src[r * width + offset + c];
  char shape[120];
  std::snprintf(shape, sizeof shape, "[%lld, %lld] columns %lld..%lld", (long long)rows,
                (long long)width, (long long)offset, (long long)(offset + columns));
  report(std::string("split copy ") + typeName<T>(), shape, "y (exact)", relErr(y, ref), 0.0);
}

void elementwiseChecks() {
  const int64_t n = 100003;  // not a multiple of the block
  checkUnary<Unary::Exp, float, float>("exp", n, -10, 5, 701);
  checkUnary<Unary::Neg, float, float>("neg", n, -3, 3, 702);
  checkUnary<Unary::Silu, float, float>("silu", n, -30, 30, 703);
  checkUnary<Unary::Softplus, float, float>("softplus", n, -30, 30, 704);
  checkUnary<Unary::Clamp, float, float>("clamp", n, -3, 3, 705, -0.5f, 1.25f);
  checkUnary<Unary::Copy, float, bf16>("cast", n, -3, 3, 706);
  checkUnary<Unary::Copy, bf16, float>("cast", n, -3, 3, 707);
  checkUnary<Unary::Silu, bf16, bf16>("silu", n, -8, 8, 708);
  // More elements than 65535 blocks of 256 threads: the grid-stride loop.
  if (!options().quick)
    checkUnary<Unary::Exp, float, float>("exp", int64_t(65535) * 256 * 2 + 77, -4, 4, 709);
  // The plan's broadcasts: x·dt' ([b,l,h,p] x [b,l,h,1]), the linear bias
  // ([rows, n] + [n]), the residual add (same shapes), both sides broadcast.
  checkBinary<true, float, float, float>({2, 37, 8, 16}, {2, 37, 8, 1}, {2, 37, 8, 16}, 711);
  checkBinary<true, bf16, bf16, bf16>({2, 37, 8, 16}, {2, 37, 8, 1}, {2, 37, 8, 16}, 712);
  checkBinary<false, float, float, float>({40, 3352}, {3352}, {40, 3352}, 713);
  checkBinary<false, bf16, bf16, bf16>({40, 333}, {333}, {40, 333}, 714);
  checkBinary<false, float, float, float>({3, 41, 768}, {3, 41, 768}, {3, 41, 768}, 715);
  checkBinary<true, float, float, float>({5, 1, 7}, {1, 6, 1}, {5, 6, 7}, 716);
  checkBinary<false, float, float, float>({1}, {4, 9}, {4, 9}, 717);
  checkBinary<true, float, float, float>({2, 1, 3, 1, 5, 2}, {4, 1, 5, 1}, {2, 4, 3, 5, 5, 2},
                                          718);
  checkCopyColumns<float>(40, 3352, 1536, 1792, 721);  // 130m in_proj -> xBC
  checkCopyColumns<bf16>(40, 3352, 3328, 24, 722);     // -> dt
  checkCopyColumns<float>(7, 10, 0, 10, 723);
}

} // namespace

void runOpChecks() {
  if (selected("conv1d"))
    convChecks();
  if (selected("rmsnorm"))
    normChecks();
  if (selected("embedding")) {
    checkEmbedding<float>(41, 768, 50288, 601);
    checkEmbedding<bf16>(41, 768, 50288, 602);
    checkEmbedding<float>(3, 5, 7, 603);
    checkEmbeddingOutOfRange();
  }
  if (selected("elementwise"))
    elementwiseChecks();
}

} // namespace kcheck
