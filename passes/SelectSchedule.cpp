//===- SelectSchedule.cpp - ssd-select-schedule ---------------------------===//
//
// Versions every public function whose core ops have a dynamic length by
// length bucket (cloning the private functions it calls), then gives each
// ssd.sma / ssd.ssm the schedule of least estimated cost (CostModel.h) at the
// bucket's representative length, unless a tuning database measured that
// shape; ssd.attention is always quadratic. `explain` (or --ssd-explain)
// prints every estimate and the choice to stderr.
//
//===----------------------------------------------------------------------===//

#include "passes/CostModel.h"
#include "passes/Passes.h"
#include "passes/TuningDb.h"
#include "passes/FusedKernel.h"

#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ManagedStatic.h"

namespace ssdc {
#define GEN_PASS_DEF_SELECTSCHEDULE
#include "passes/Passes.h.inc"
} // namespace ssdc

using namespace mlir;
using namespace ssdc;
using namespace ssdc::ssd;

namespace {
struct CLOptions {
  llvm::cl::opt<bool> explain{
      "ssd-explain",
      llvm::cl::desc("ssd-select-schedule: print each op's estimated cost "
                     "per schedule and the choice")};
};
} // namespace

static llvm::ManagedStatic<CLOptions> clOptions;

void ssdc::registerSSDCCLOptions() { *clOptions; }

bool ssdc::explainRequestedOnCommandLine() {
  return clOptions.isConstructed() && clOptions->explain;
}

namespace {

/// A closed length range [lo, hi]; hi < 0 is unbounded.
struct Bucket {
  int64_t lo, hi;
  std::string suffix() const {
    return "__L" + std::to_string(lo) + "_" +
           (hi < 0 ? std::string("inf") : std::to_string(hi));
  }
  /// The length the model is evaluated at: the upper bound, or twice the
  /// previous bound for the open bucket.
  int64_t representative() const {
    return hi >= 0 ? hi : std::max<int64_t>(lo, 2 * (lo - 1));
  }
};

int64_t lengthOf(Operation *op) {
  Value v;
  if (auto sma = dyn_cast<SMAOp>(op))
    v = sma.getV();
  else if (auto ssm = dyn_cast<SSMOp>(op))
    v = ssm.getX();
  else if (auto att = dyn_cast<AttentionOp>(op))
    v = att.getQ();
  return v ? cast<RankedTensorType>(v.getType()).getDimSize(1)
           : ShapedType::kDynamic;
}

bool isCoreOp(Operation *op) { return isa<SMAOp, SSMOp, AttentionOp>(op); }

StringRef dtypeName(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  return "?";
}

cost::Kind toCost(ScheduleKind k) {
  switch (k) {
  case ScheduleKind::recurrent:
    return cost::Kind::Recurrent;
  case ScheduleKind::quadratic:
    return cost::Kind::Quadratic;
  case ScheduleKind::chunked:
    return cost::Kind::Chunked;
  }
  return cost::Kind::Recurrent;
}

ScheduleKind fromCost(cost::Kind k) {
  switch (k) {
  case cost::Kind::Recurrent:
    return ScheduleKind::recurrent;
  case cost::Kind::Quadratic:
    return ScheduleKind::quadratic;
  case cost::Kind::Chunked:
    return ScheduleKind::chunked;
  }
  return ScheduleKind::recurrent;
}

struct SelectSchedulePass
    : ssdc::impl::SelectScheduleBase<SelectSchedulePass> {
  using SelectScheduleBase::SelectScheduleBase;

  void runOnOperation() override;

private:
  LogicalResult readOptions();
  void version(func::FuncOp entry, SymbolTable &symbols);
  void select(Operation *op);
  void selectAttention(AttentionOp op, func::FuncOp fn, int64_t l);
  void printHeader(Operation *op, func::FuncOp fn, const cost::Shape &s,
                   StringRef dtype);

  std::optional<cost::Target> tgt;
  std::optional<TuningDb> db;
  SmallVector<Bucket> bucketList;
  SmallVector<int64_t> chunks;
  bool doExplain = false;
};

LogicalResult SelectSchedulePass::readOptions() {
  ModuleOp module = getOperation();
  tgt = cost::lookupTarget(target);
  if (!tgt)
    return module.emitError() << "ssd-select-schedule: unknown target '"
                              << target << "' (known: "
                              << cost::knownTargets() << ")";
  SmallVector<int64_t> bounds(buckets.begin(), buckets.end());
  if (bounds.empty())
    bounds = {1, 64, 512, 4096};
  int64_t prev = 0;
  for (int64_t u : bounds) {
    if (u <= prev)
      return module.emitError()
             << "ssd-select-schedule: buckets must be positive and ascending, "
             << "got " << u << " after " << prev;
    bucketList.push_back({prev + 1, u});
    prev = u;
  }
  bucketList.push_back({prev + 1, -1});
  chunks.assign(chunkSizes.begin(), chunkSizes.end());
  if (chunks.empty())
    chunks = {32, 64, 128, 256};
  for (int64_t q : chunks)
    if (q <= 0)
      return module.emitError()
             << "ssd-select-schedule: chunk sizes must be positive, got " << q;
  if (batch <= 0 || defaultLength <= 0)
    return module.emitError()
           << "ssd-select-schedule: batch and default-length must be positive";
  if (!tuningDb.empty()) {
    llvm::Expected<TuningDb> loaded = TuningDb::load(tuningDb);
    if (!loaded)
      return module.emitError() << llvm::toString(loaded.takeError());
    db = std::move(*loaded);
  }
  doExplain = explain || explainRequestedOnCommandLine();
  return success();
}

/// The private functions `fn` calls, transitively, in discovery order.
SmallVector<func::FuncOp> privateCallees(func::FuncOp fn,
                                         SymbolTable &symbols) {
  SmallVector<func::FuncOp> out{};
  SmallVector<func::FuncOp> work{fn};
  llvm::SmallPtrSet<Operation *, 8> seen{fn};
  while (!work.empty()) {
    func::FuncOp f = work.pop_back_val();
    f.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (callee && callee.isPrivate() && !callee.isExternal() &&
          seen.insert(callee).second) {
        out.push_back(callee);
        work.push_back(callee);
      }
    });
  }
  return out;
}

void SelectSchedulePass::version(func::FuncOp entry, SymbolTable &symbols) {
  SmallVector<func::FuncOp> callees = privateCallees(entry, symbols);
  bool dynamic = false;
  auto check = [&](func::FuncOp f) {
    f.walk([&](Operation *op) {
      if (isCoreOp(op) && ShapedType::isDynamic(lengthOf(op)))
        dynamic = true;
    });
  };
  check(entry);
  for (func::FuncOp f : callees)
    check(f);
  if (!dynamic)
    return;
  Builder b(&getContext());
  StringRef name = entry.getSymName();
  // Versions go right after the entry, in bucket order.
  Block::iterator insertPt = std::next(Block::iterator(entry));
  for (const Bucket &bucket : bucketList) {
    llvm::StringMap<StringAttr> renamed;
    SmallVector<func::FuncOp> clones;
    auto cloneOne = [&](func::FuncOp f) {
      func::FuncOp c = f.clone();
      c.setSymName((f.getSymName() + bucket.suffix()).str());
      c->setAttr("ssd.l_min", b.getI64IntegerAttr(bucket.lo));
      if (bucket.hi >= 0)
        c->setAttr("ssd.l_max", b.getI64IntegerAttr(bucket.hi));
      symbols.insert(c, insertPt);
      renamed[f.getSymName()] = c.getSymNameAttr();
      clones.push_back(c);
      return c;
    };
    func::FuncOp e = cloneOne(entry);
    e->setAttr("ssd.entry", b.getStringAttr(name));
    for (func::FuncOp f : callees)
      cloneOne(f);
    for (func::FuncOp c : clones)
      c.walk([&](func::CallOp call) {
        auto it = renamed.find(call.getCallee());
        if (it != renamed.end())
          call.setCalleeAttr(FlatSymbolRefAttr::get(it->second));
      });
  }
  ModuleOp module = getOperation();
  if (SymbolTable::symbolKnownUseEmpty(entry, module))
    symbols.erase(entry);
  for (func::FuncOp f : callees)
    if (SymbolTable::symbolKnownUseEmpty(f, module))
      symbols.erase(f);
}

/// The length to evaluate `op` at, and a description of where it came from.
int64_t evalLength(Operation *op, func::FuncOp fn, int64_t defaultLength,
                   std::string &why) {
  int64_t l = lengthOf(op);
  if (!ShapedType::isDynamic(l)) {
    why = "static";
    return l;
  }
  auto lo = fn ? fn->getAttrOfType<IntegerAttr>("ssd.l_min") : IntegerAttr();
  if (!lo) {
    why = "default-length";
    return defaultLength;
  }
  auto hi = fn->getAttrOfType<IntegerAttr>("ssd.l_max");
  Bucket bucket{lo.getInt(), hi ? hi.getInt() : -1};
  why = "bucket " + std::to_string(bucket.lo) + ".." +
        (bucket.hi < 0 ? std::string("inf") : std::to_string(bucket.hi));
  return bucket.representative();
}

void SelectSchedulePass::printHeader(Operation *op, func::FuncOp fn,
                                     const cost::Shape &s, StringRef dtype) {
  llvm::errs() << "ssd-explain: @" << (fn ? fn.getSymName() : "?") << " "
               << op->getName() << " " << op->getLoc() << " on " << tgt->name
               << (tgt->provisional ? " (provisional coefficients)" : "")
               << ": b=" << s.b << " l=" << s.l << " h=" << s.h
               << " p=" << s.p << " g=" << s.g << " n=" << s.n << " " << dtype
               << "\n";
}

void SelectSchedulePass::selectAttention(AttentionOp op, func::FuncOp fn,
                                         int64_t l) {
  auto q = cast<RankedTensorType>(op.getQ().getType());
  auto k = cast<RankedTensorType>(op.getK().getType());
  int64_t past = 0;
  if (Value pk = op.getPastK()) {
    past = cast<RankedTensorType>(pk.getType()).getDimSize(1);
    if (ShapedType::isDynamic(past))
      past = 0;
  }
  int64_t bsz = q.isDynamicDim(0) ? static_cast<int64_t>(batch) : q.getDimSize(0);
  int64_t elem = q.getElementTypeBitWidth() / 8;
  if (!op.getScheduleAttr())
    op.setScheduleAttr(ScheduleAttr::get(&getContext(), ScheduleKind::quadratic,
                                         0, "softmax-rule"));
  if (!doExplain)
    return;
  cost::Work w = cost::attentionWork(bsz, l, past, q.getDimSize(2),
                                     k.getDimSize(2), q.getDimSize(3), elem,
                                     *tgt);
  llvm::errs() << "ssd-explain: @" << (fn ? fn.getSymName() : "?") << " "
               << op->getName() << " " << op->getLoc() << " on " << tgt->name
               << ": b=" << bsz << " l=" << l << " hq=" << q.getDimSize(2)
               << " d=" << q.getDimSize(3) << "\n"
               << "  quadratic    "
               << llvm::format("%12.3f", cost::seconds(w, *tgt, elem) * 1e6)
               << " us  <- chosen (softmax: quadratic only)\n";
}

void SelectSchedulePass::select(Operation *op) {
  auto fn = op->getParentOfType<func::FuncOp>();
  std::string why;
  int64_t l = evalLength(op, fn, defaultLength, why);
  if (auto att = dyn_cast<AttentionOp>(op))
    return selectAttention(att, fn, l);

  Value c, v, k, init;
  bool allowChunked = true;
  ScheduleAttr existing;
  if (auto sma = dyn_cast<SMAOp>(op)) {
    c = sma.getQ(), v = sma.getV(), k = sma.getK(), init = sma.getInitState();
    allowChunked = sma.getMask() == MaskKind::decay;
    existing = sma.getScheduleAttr();
  } else {
    auto ssm = cast<SSMOp>(op);
    c = ssm.getC(), v = ssm.getX(), k = ssm.getB(), init = ssm.getInitState();
    existing = ssm.getScheduleAttr();
  }
  auto vt = cast<RankedTensorType>(v.getType());
  auto kt = cast<RankedTensorType>(k.getType());
  cost::Shape s;
  s.b = vt.isDynamicDim(0) ? static_cast<int64_t>(batch) : vt.getDimSize(0);
  s.l = l;
  s.h = vt.getDimSize(2), s.p = vt.getDimSize(3);
  s.g = kt.getDimSize(2), s.n = kt.getDimSize(3);
  s.elemBytes = vt.getElementTypeBitWidth() / 8;
  s.hasInit = static_cast<bool>(init);
  StringRef dtype = dtypeName(vt.getElementType());
  if (chunkedForm == "fused" && tgt->name != "cpu" && allowChunked) {
    // The chunk sizes ssd-decompose-chunked{keep-fused} will keep whole.
    for (int64_t q : chunks)
      if (fusedKernelRuns(c.getType(), k.getType(), v.getType(), q))
        s.fusedChunks.push_back(q);
  }

  SmallVector<cost::Estimate> estimates =
      cost::estimateAll(s, *tgt, chunks, allowChunked);
  cost::Estimate chosen = cost::choose(s, estimates);
  std::string source = "cost-model";
  const TuningEntry *measured = nullptr;
  if (db) {
    TuningKey key{tgt->name, device, "sma", dtype.str(), s.b, s.l,
                  s.h,       s.p,    s.g,   s.n,
                  tgt->name != "cpu" ? chunkedForm.getValue() : std::string()};
    measured = db->lookup(key);
  }
  if (measured) {
    const std::pair<cost::Schedule, double> *best = nullptr;
    for (const auto &entry : measured->timesUs)
      if ((allowChunked || entry.first.kind != cost::Kind::Chunked) &&
          (!best || entry.second < best->second))
        best = &entry;
    if (best) {
      chosen = {best->first, best->second * 1e-6};
      source = "tuning-db";
    } else {
      measured = nullptr;
    }
  }

  if (existing) {
    chosen.schedule = {toCost(existing.getKind()), existing.getChunkSize()};
    source = existing.getSource().empty() ? "ir" : existing.getSource().str();
  } else {
    op->setAttr("schedule",
                ScheduleAttr::get(&getContext(),
                                  fromCost(chosen.schedule.kind),
                                  chosen.schedule.chunkSize, source));
  }
  if (!doExplain)
    return;
  printHeader(op, fn, s, dtype);
  llvm::errs() << "  length " << l << " (" << why << ")"
               << (allowChunked ? "" : "; causal mask: no chunked schedule")
               << (l == 1 ? "; decode: recurrent by rule" : "")
               << "\n";
  for (const cost::Estimate &e : estimates) {
    llvm::errs() << "  " << llvm::format("%-12s", e.schedule.str().c_str())
                 << llvm::format("%12.3f", e.seconds * 1e6) << " us";
    if (measured)
      for (const auto &m : measured->timesUs)
        if (m.first == e.schedule)
          llvm::errs() << "  measured " << llvm::format("%.3f", m.second)
                       << " us";
    if (e.schedule.kind == cost::Kind::Chunked &&
        llvm::is_contained(s.fusedChunks, e.schedule.chunkSize))
      llvm::errs() << "  (fused kernel)";
    if (e.schedule == chosen.schedule)
      llvm::errs() << "  <- chosen (" << source << ")";
    llvm::errs() << "\n";
  }
  if (measured)
    for (const auto &m : measured->timesUs)
      if (!llvm::any_of(estimates, [&](const cost::Estimate &e) {
            return e.schedule == m.first;
          }))
        llvm::errs() << "  " << llvm::format("%-12s", m.first.str().c_str())
                     << "             -    measured "
                     << llvm::format("%.3f", m.second) << " us"
                     << (m.first == chosen.schedule
                             ? "  <- chosen (" + source + ")"
                             : std::string())
                     << "\n";
}

void SelectSchedulePass::runOnOperation() {
  if (failed(readOptions()))
    return signalPassFailure();
  ModuleOp module = getOperation();
  SymbolTable symbols(module);
  SmallVector<func::FuncOp> entries;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal())
      entries.push_back(fn);
  for (func::FuncOp fn : entries)
    version(fn, symbols);
  module.walk([&](Operation *op) {
    if (isCoreOp(op))
      select(op);
  });
}

} // namespace
