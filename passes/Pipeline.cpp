//===- Pipeline.cpp - buildCompilePipeline and pass registration ----------===//
//
// The passes in the order they run, and `ssd-compile-pipeline`, which runs
// them whole (with the CompileOptions as pipeline options) for lit.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {

struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("cpu or cuda-sm90"),
                             llvm::cl::init("cuda-sm90")};
  ListOption<int64_t> buckets{*this, "buckets",
                              llvm::cl::desc("length bucket upper bounds")};
  ListOption<int64_t> chunkSizes{*this, "chunk-sizes",
                                 llvm::cl::desc("candidate chunk sizes")};
  Option<int64_t> batch{*this, "batch", llvm::cl::desc("assumed batch"),
                        llvm::cl::init(1)};
  Option<std::string> tuningDb{*this, "tuning-db",
                               llvm::cl::desc("tuning database (JSON)")};
  Option<std::string> device{*this, "device",
                             llvm::cl::desc("device name for tuning-db")};
  Option<bool> explain{*this, "explain",
                       llvm::cl::desc("print schedule costs"),
                       llvm::cl::init(false)};
  Option<bool> fuse{*this, "fuse", llvm::cl::desc("run ssd-fuse"),
                    llvm::cl::init(true)};
  Option<std::string> chunkedForm{
      *this, "chunked-form",
      llvm::cl::desc("GPU chunked SSD: fused (one kernel where supported) or staged"),
      llvm::cl::init("staged")};
};

} // namespace

void ssdc::buildCompilePipeline(OpPassManager &pm, const CompileOptions &o) {
  pm.addPass(createNormalizeDuality());
  SelectScheduleOptions select;
  select.target = o.target;
  select.buckets = o.buckets;
  select.chunkSizes = o.chunkSizes;
  select.batch = o.batch;
  select.tuningDb = o.tuningDb;
  select.device = o.device;
  select.explain = o.explain;
  select.chunkedForm = o.chunkedForm;
  pm.addPass(createSelectSchedule(select));
  // The CPU's chunked kernel (codegen/cpu ssdChunked) runs the four stages
  // itself, keeping chunk scalars in per-thread scratch; decomposing into
  // four launches would only add round trips through memory. GPU targets get
  // the decomposition (one kernel per stage), or with chunkedForm "fused"
  // keep the shapes the fused CUDA kernel supports whole.
  if (o.target != "cpu") {
    DecomposeChunkedOptions decompose;
    decompose.keepFused = o.chunkedForm == "fused";
    pm.addPass(createDecomposeChunked(decompose));
  }
  if (o.fuse) {
    pm.addPass(createFuse());
    pm.addPass(createFuseResidual());
  }
}

void ssdc::registerSSDCPasses() {
  registerSSDPasses();
  PassPipelineRegistration<PipelineOptions>(
      "ssd-compile-pipeline",
      "normalize-duality, select-schedule, decompose-chunked, fuse, fuse-residual",
      [](OpPassManager &pm, const PipelineOptions &p) {
        CompileOptions o;
        o.target = p.target;
        o.buckets.assign(p.buckets.begin(), p.buckets.end());
        o.chunkSizes.assign(p.chunkSizes.begin(), p.chunkSizes.end());
        o.batch = p.batch;
        o.tuningDb = p.tuningDb;
        o.device = p.device;
        o.explain = p.explain;
        o.fuse = p.fuse;
        o.chunkedForm = p.chunkedForm;
        buildCompilePipeline(pm, o);
      });
}
