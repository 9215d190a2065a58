// The CPU plan executor. One Slot per plan buffer; views are materialised on
// first use (column views copied, reshapes aliased); activations are poisoned
// with NaN when allocated so a kernel that leaves an element unwritten shows.
#include "runtime/cpu/CpuExecutor.h"

#include "runtime/core/CallShape.h"
#include "runtime/core/Error.h"
#include "runtime/cpu/Attention.h"
#include "runtime/cpu/Elementwise.h"

#include "ssdc/reference.h"

#include "ssdc/cpu_kernel_table.h"

#include <algorithm>
#include <cblas.h>

#include <cmath>
#include <limits>

namespace ssdc::rt {

namespace {

struct Slot {
  std::vector<int64_t> shape;
  const float *data = nullptr;
  std::vector<float> own;
  bool ready = false;
};


class Run {
public:
  Run(const Entry &e, const WeightLookup &weights, CallShape sym)
      : e(e), weights(weights), sym(sym), slots(e.buffers.size()) {}

  std::vector<int64_t> shapeOf(int64_t id) const {
    return sym.shapeOf(e.buffers[id]);
  }

  void bindInput(int64_t id, const float *data) {
    slots[id].shape = shapeOf(id);
    slots[id].data = data;
    slots[id].ready = true;
  }

  /// Readable data of buffer `id`, materialising views and weights.
  const float *in(int64_t id) {
    Slot &s = slots[id];
    if (s.ready)
      return s.data;
    const Buffer &b = e.buffers[id];
    s.shape = shapeOf(id);
    if (b.kind == BufferKind::Weight) {
      s.data = weights(b.weightName, s.shape);
    } else if (b.kind == BufferKind::View && b.columnOffset < 0) {
      s.data = in(b.viewOf);  // a reshape: same memory
    } else if (b.kind == BufferKind::View) {
      const float *src = in(b.viewOf);
      int64_t width = slots[b.viewOf].shape.back();
      int64_t rows = Tensor::count(s.shape) / b.columns;
      s.own.resize(Tensor::count(s.shape));
      for (int64_t r = 0; r < rows; ++r)
        std::copy(src + r * width + b.columnOffset,
                  src + r * width + b.columnOffset + b.columns,
                  s.own.data() + r * b.columns);
      s.data = s.own.data();
    } else {
      throw RuntimeError("plan entry '" + e.name + "': buffer " +
                         std::to_string(id) + " is read before it is written");
    }
    s.ready = true;
    return s.data;
  }

  /// Allocates output buffer `id`, poisoned with NaN.
  float *out(int64_t id) {
    Slot &s = slots[id];
    s.shape = shapeOf(id);
    s.own.assign(Tensor::count(s.shape), std::numeric_limits<float>::quiet_NaN());
    s.data = s.own.data();
    s.ready = true;
    return s.own.data();
  }

  const std::vector<int64_t> &shape(int64_t id) const { return slots[id].shape; }

  Tensor take(int64_t id) {
    in(id);
    Tensor t;
    t.shape = slots[id].shape;
    t.data.assign(slots[id].data, slots[id].data + Tensor::count(t.shape));
    return t;
  }

  const Entry &e;
  const WeightLookup &weights;
  CallShape sym;
  std::vector<Slot> slots;
};

/// Which optional operands a launch has, from its operand segments.
struct Operands {
  const Launch &l;
  /// Index into l.inputs of operand group `group`, or -1 when absent.
  int index(size_t group) const {
    if (l.operandSegments.empty())
      return group < l.inputs.size() ? static_cast<int>(group) : -1;
    int at = 0;
    for (size_t g = 0; g < group; ++g)
      at += l.operandSegments[g];
    return l.operandSegments[group] ? at : -1;
  }
};

[[noreturn]] void unsupported(const Launch &l, const std::string &why) {
  throw RuntimeError("the CPU executor cannot run '" + l.kernel + "'" +
                     (l.layer.empty() ? "" : " in " + l.layer) + ": " + why);
}

void check(int code, const Launch &l) {
  if (code != 0)
    throw RuntimeError("CPU kernel for '" + l.kernel + "'" +
                       (l.layer.empty() ? "" : " in " + l.layer) +
                       " failed with Halide error " + std::to_string(code));
}

std::vector<double> toDouble(const float *p, int64_t n) {
  return p ? std::vector<double>(p, p + n) : std::vector<double>();
}
const double *ptr(const std::vector<double> &v) {
  return v.empty() ? nullptr : v.data();
}

void runLaunch(Run &r, const Launch &l, const cpu::KernelTable &k,
               int64_t vocab, const int64_t *ids, ReferenceCheck *checker) {
  const std::string &op = l.op;
  Operands ops{l};
  auto input = [&](size_t group) -> const float * {
    int i = ops.index(group);
    return i < 0 ? nullptr : r.in(l.inputs[i]);
  };
  auto inShape = [&](size_t group) {
    int64_t id = l.inputs[ops.index(group)];
    r.in(id);  // materialise first: a view's shape is known once it exists
    return r.shape(id);
  };

  if (op == "ssd.embedding") {
    const float *table = r.in(l.inputs[0]);
    std::vector<int64_t> t = r.shape(l.inputs[0]);
    float *o = r.out(l.outputs[0]);
    int64_t rows = r.sym.b * r.sym.l;
    std::vector<int32_t> ids32(rows);
    for (int64_t i = 0; i < rows; ++i) {
      if (ids[i] < 0 || ids[i] >= t[0] || (vocab > 0 && ids[i] >= vocab))
        throw RuntimeError("input id " + std::to_string(ids[i]) + " at position " +
                           std::to_string(i) + " is outside the vocabulary [0, " +
                           std::to_string(t[0]) + ")");
      ids32[i] = static_cast<int32_t>(ids[i]);
    }
    check(k.embedding(rows, t[1], t[0], ids32.data(), table, o), l);
    return;
  }
  if (op == "ssd.rmsnorm") {
    const float *x = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    const float *z = l.inputs.size() > 2 ? r.in(l.inputs[2]) : nullptr;
    std::vector<int64_t> xs = r.shape(l.inputs[0]);
    int64_t d = xs.back(), rows = Tensor::count(xs) / d;
    double eps = l.attrs.contains("eps") ? attrNumber(l.attrs["eps"]) : 1e-5;
    int64_t group = l.attrs.value("group_size", d);
    bool nbg = l.attrs.value("norm_before_gate", false);
    float *o = r.out(l.outputs[0]);
    check(k.rmsnormGated(rows, d, group, eps, nbg, x, z, w, o), l);
    if (checker) {
      std::vector<double> rx = toDouble(x, rows * d), rz = toDouble(z, z ? rows * d : 0),
                          rw = toDouble(w, d), ro(rows * d);
      ref::rmsnormGated(rows, d, group, eps, nbg, rx.data(), ptr(rz), rw.data(),
                        ro.data());
      checker->record(l.layer, l.kernel, o, ro.data(), rows * d);
    }
    return;
  }
  if (op == "ssd.linear") {
    const float *x = r.in(l.inputs[0]), *w = r.in(l.inputs[1]);
    std::vector<int64_t> ws = r.shape(l.inputs[1]);
    int64_t n = ws[0], k = ws[1];
    int64_t rows = Tensor::count(r.shape(l.inputs[0])) / k;
    float *o = r.out(l.outputs[0]);
    // A residual operand (ssd-fuse-residual) is the GEMM's accumulator: o
    // starts as the residual and the product is added with beta 1.
    const float *residual = input(3);
    float beta = 0.0f;
    if (residual) {
      std::copy(residual, residual + rows * n, o);
      beta = 1.0f;
    }
    if (rows == 1)  // decode: a matrix-vector product streams w once
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x, 1, beta, o, 1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, k, 1.0f, x,
                  k, w, k, beta, o, n);
    if (const float *bias = input(2)) {
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < n; ++j)
          o[i * n + j] += bias[j];
    }
    return;
  }
  if (op == "ssd.conv1d") {
    std::vector<int64_t> xs = inShape(0), ws = inShape(1);
    const float *x = input(0), *w = input(1), *bias = input(2), *state = input(3);
    float *y = r.out(l.outputs[0]);
    float *fin = r.out(l.outputs[1]);
    check(k.conv1d(xs[0], xs[1], xs[2], ws[1], x, w, bias, state,
                      l.attrs.value("silu", false), y, fin),
          l);
    if (checker) {
      int64_t n = xs[0] * xs[1] * xs[2], c = xs[2], kk = ws[1];
      std::vector<double> rx = toDouble(x, n), rw = toDouble(w, c * kk),
                          rb = toDouble(bias, bias ? c : 0),
                          rs = toDouble(state, state ? xs[0] * c * kk : 0), ry(n),
                          rf(xs[0] * c * kk);
      ref::conv1d(xs[0], xs[1], c, kk, rx.data(), rw.data(), ptr(rb), ptr(rs),
                  l.attrs.value("silu", false), ry.data(), rf.data());
      checker->record(l.layer, l.kernel, y, ry.data(), n);
      checker->record(l.layer, l.kernel + ".state", fin, rf.data(), rf.size());
    }
    return;
  }
  if (op == "ssd.attention") {
    std::vector<int64_t> qs = inShape(0), ks = inShape(1), vs = inShape(2);
    AttentionShape as;
    as.batch = qs[0];
    as.len = qs[1];
    as.hq = qs[2];
    as.d = qs[3];
    as.hk = ks[2];
    as.dv = vs[3];
    as.past = ops.index(3) >= 0 ? inShape(3)[1] : 0;
    as.rotaryDim = l.attrs.value("rotary_dim", int64_t(0));
    if (l.attrs.contains("rope_theta"))
      as.ropeTheta = attrNumber(l.attrs["rope_theta"]);
    if (l.attrs.contains("scale"))
      as.scale = attrNumber(l.attrs["scale"]);
    const float *q = input(0), *k = input(1), *v = input(2);
    const float *pk = input(3), *pv = input(4);
    float *o = r.out(l.outputs[0]);
    float *keys = r.out(l.outputs[1]), *values = r.out(l.outputs[2]);
    attentionWithCache(as, q, k, v, pk, pv, o, keys, values);
    if (checker && as.past == 0) {
      int64_t nq = as.batch * as.len * as.hq * as.d;
      int64_t nk = as.batch * as.len * as.hk * as.d;
      std::vector<double> rq = toDouble(q, nq), rk = toDouble(k, nk),
                          rv = toDouble(v, nk), ro(nq);
      ref::attention(as.batch, as.len, as.hq, as.hk, as.d, as.rotaryDim,
                     as.ropeTheta, 0, rq.data(), rk.data(), rv.data(), ro.data());
      checker->record(l.layer, l.kernel, o, ro.data(), nq);
    }
    return;
  }
  if (op == "ssd.ssm") {
    std::vector<int64_t> xs = inShape(0), bs = inShape(3);
    if (ops.index(5) >= 0 && inShape(5).size() != 1)
      unsupported(l, "D of shape [h, p] (D_has_hdim)");
    cpu::SsdShape s;
    s.batch = xs[0];
    s.len = xs[1];
    s.heads = xs[2];
    s.headdim = xs[3];
    s.groups = bs[2];
    s.dstate = bs[3];
    cpu::DtParams dtp;
    dtp.softplus = l.attrs.value("dt_softplus", false);
    if (l.attrs.contains("dt_limit")) {
      dtp.dtMin = attrNumber(l.attrs["dt_limit"][0]);
      dtp.dtMax = attrNumber(l.attrs["dt_limit"][1]);
    }
    cpu::SsdArgs a;
    a.x = input(0);
    a.dt = input(1);
    a.A = input(2);
    a.B = input(3);
    a.C = input(4);
    a.D = input(5);
    a.dtBias = input(6);
    a.initState = input(7);
    a.y = r.out(l.outputs[0]);
    a.finalState = r.out(l.outputs[1]);
    std::string kind = "recurrent";
    int64_t chunk = 0;
    if (l.attrs.contains("schedule")) {
      kind = l.attrs["schedule"].value("kind", kind);
      chunk = l.attrs["schedule"].value("chunk_size", int64_t(0));
    }
    if (kind == "recurrent")
      check(k.ssdRecurrent(s, dtp, a), l);
    else if (kind == "quadratic")
      check(k.ssdQuadratic(s, dtp, a), l);
    else
      check(k.ssdChunked(s, dtp, a, static_cast<int>(chunk)), l);
    if (checker) {
      int64_t bl = s.batch * s.len, hp = s.heads * s.headdim;
      int64_t gn = s.groups * s.dstate, st = s.batch * hp * s.dstate;
      std::vector<double> rx = toDouble(a.x, bl * hp), rdt = toDouble(a.dt, bl * s.heads),
                          rA = toDouble(a.A, s.heads), rB = toDouble(a.B, bl * gn),
                          rC = toDouble(a.C, bl * gn),
                          rD = toDouble(a.D, a.D ? s.heads : 0),
                          rbias = toDouble(a.dtBias, a.dtBias ? s.heads : 0),
                          rinit = toDouble(a.initState, a.initState ? st : 0),
                          ry(bl * hp), rfin(st);
      ref::SsdShape rs{s.batch, s.len, s.heads, s.headdim, s.groups, s.dstate};
      ref::DtParams rdp;
      rdp.dtMin = dtp.dtMin;
      rdp.dtMax = dtp.dtMax;
      rdp.softplus = dtp.softplus;
      ref::ssd(rs, rdp, rx.data(), rdt.data(), rA.data(), rB.data(), rC.data(),
               ptr(rD), ptr(rbias), ptr(rinit), ry.data(), rfin.data());
      checker->record(l.layer, l.kernel, a.y, ry.data(), ry.size());
      checker->record(l.layer, l.kernel + ".state", a.finalState, rfin.data(),
                      rfin.size());
    }
    return;
  }
  r.in(l.inputs[0]);
  if (runElementwise(r.shape(l.inputs[0]), l, [&](int64_t id) { return r.in(id); },
                     [&](int64_t id) {
                       r.in(id);
                       return r.shape(id);
                     },
                     [&](int64_t id) { return r.out(id); }))
    return;
  unsupported(l, "no CPU kernel for " + op + " yet");
}

bool allFinite(const float *p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i]))
      return false;
  return true;
}

/// The always-on numerical guard: logits are scanned (cheap next to the
/// head's matmul); only when they hold NaN/Inf are the launches' outputs,
/// still in memory, scanned in order to name where it first appeared.
void checkFiniteLogits(Run &r, const Entry &entry) {
  for (const EntryOutput &o : entry.outputs) {
    if (o.role != "logits")
      continue;
    const float *logits = r.in(o.buffer);
    if (allFinite(logits, Tensor::count(r.shape(o.buffer))))
      return;
    for (const Launch &l : entry.launches)
      for (int64_t out : l.outputs)
        if (!allFinite(r.in(out), Tensor::count(r.shape(out))))
          throw RuntimeError("non-finite values (NaN/Inf) first appear in the "
                             "output of '" + l.kernel + "'" +
                             (l.layer.empty() ? "" : " in " + l.layer) +
                             " (entry " + entry.name +
                             "); check the weights with --check-weights");
    throw RuntimeError("the logits hold NaN/Inf (entry " + entry.name + ")");
  }
}

} // namespace

RunResult CpuExecutor::run(const Entry &entry, const std::vector<int64_t> &ids,
                           int64_t batch, int64_t length,
                           const std::map<std::string, Tensor> &states) {
  CallShape sym;
  sym.b = batch;
  sym.l = length;
  sym.s = cacheLength(entry, states);
  checkTokenCount(ids, sym);
  Run r(entry, weights, sym);
  for (int64_t id : entry.inputs) {
    const Buffer &b = entry.buffers[id];
    if (b.role == "input_ids")
      r.bindInput(id, nullptr);  // the embedding reads `ids` itself
    else
      r.bindInput(id, requireState(entry, b, states, sym).data.data());
  }
  for (const Launch &l : entry.launches)
    runLaunch(r, l, *kernels, vocab, ids.data(), check.get());
  checkFiniteLogits(r, entry);

  return collectOutputs(entry, [&](int64_t id) { return r.take(id); });
}

} // namespace ssdc::rt
