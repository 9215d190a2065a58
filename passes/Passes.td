//===- Passes.td - the ssdc pass pipeline, in order -------*- tablegen -*-===//
//
// The compiler's table of contents: every rewrite over the `ssd` dialect, in
// the order buildCompilePipeline runs them (passes/Pipeline.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_TD
#define SSDC_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormalizeDuality : Pass<"ssd-normalize-duality"> {
  let summary = "rewrite every ssd.ssm into the normal form ssd.sma";
  let description = [{
    The duality of Dao & Gu: an SSM is a structured masked attention with
    `q = C`, `k = B`, `v = dt·x` and log decay `dt·A`. The dt processing
    becomes elementwise ops, the D-skip an add after the sma; a schedule
    attribute on the ssm is kept.
    Before:
    ```mlir
    %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%b) {dt_softplus} : ...
    ```
    After:
    ```mlir
    %0 = ssd.add %dt, %b             // [b,l,h] + [h]
    %1 = ssd.softplus %0
    %a = ssd.mul %1, %A              // log decay
    %2 = ssd.reshape %1              // [b,l,h] -> [b,l,h,1]
    %v = ssd.mul %x, %2
    %y0, %s = ssd.sma %C, %B, %v decay(%a) {mask = #ssd.mask<decay>}
    %d = ssd.reshape %D              // [h] -> [h,1]
    %3 = ssd.mul %x, %d
    %y = ssd.add %y0, %3
    ```
    Activations that are not f32 get `ssd.cast`s: dt is processed in f32.
  }];
  let dependentDialects = ["::ssdc::ssd::SSDDialect"];
}

def RecoverSSM : Pass<"ssd-recover-ssm"> {
  let summary = "fold an ssd.sma and its dt/skip producers back into ssd.ssm";
  let description = [{
    The reverse of `ssd-normalize-duality`: a decay-mask sma whose log decay
    is `dt'·A` and whose `v` is `x·dt'` (dt' = clamp(softplus(dt + bias)),
    each step optional) becomes an `ssd.ssm`; an `add(y, x·D)` consuming its
    only use becomes the ssm's `D`. A causal-mask sma has no ssm form and is
    left alone. Before/after are the two sides of `ssd-normalize-duality`.
    With `only-scheduled`, only sma ops whose schedule is one of
    `recurrent`/`quadratic` are folded (what `ssd-fuse` does).
  }];
  let options = [
    Option<"onlyScheduled", "only-scheduled", "bool", /*default=*/"false",
           "fold only sma ops scheduled recurrent or quadratic">,
  ];
  let dependentDialects = ["::ssdc::ssd::SSDDialect"];
}

def SelectSchedule : Pass<"ssd-select-schedule", "::mlir::ModuleOp"> {
  let summary = "choose recurrent / quadratic / chunked(Q) per op and length bucket";
  let description = [{
    Every public function whose core ops have a dynamic length is cloned once
    per length bucket (with the private functions it calls), named
    `@f__L<lo>_<hi>` (`inf` for the open last bucket) and marked
    `ssd.entry = "f"`, `ssd.l_min`, `ssd.l_max` (absent when open). Each
    `ssd.sma` / `ssd.ssm` then gets the schedule of least estimated cost at the
    bucket's representative length (its upper bound; 2x the lower bound for the
    open bucket), or the fastest time a tuning database measured for that
    shape. `ssd.attention` is always quadratic. A schedule already in the IR
    is kept. Length 1 (decode) is recurrent.
    Before:
    ```mlir
    func.func @prefill(...) { %y, %s = ssd.sma ... : (tensor<?x?x1x128xbf16>, ...) }
    ```
    After (buckets=64):
    ```mlir
    func.func @prefill__L1_64(...) attributes {ssd.entry = "prefill", ssd.l_max = 64 : i64, ssd.l_min = 1 : i64} {
      %y, %s = ssd.sma ... {schedule = #ssd.schedule<quadratic, "cost-model">}
    }
    func.func @prefill__L65_inf(...) attributes {ssd.entry = "prefill", ssd.l_min = 65 : i64} {
      %y, %s = ssd.sma ... {schedule = #ssd.schedule<chunked, 128, "cost-model">}
    }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cuda-sm90\"",
           "target description: cpu or cuda-sm90">,
    ListOption<"buckets", "buckets", "int64_t",
               "upper bounds of the closed length buckets, ascending; one "
               "open bucket follows the last (default 1,64,512,4096)">,
    ListOption<"chunkSizes", "chunk-sizes", "int64_t",
               "candidate chunk sizes Q (default 32,64,128,256)">,
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "batch size assumed where the batch dimension is dynamic">,
    Option<"defaultLength", "default-length", "int64_t", /*default=*/"2048",
           "length assumed for a dynamic length outside any bucket">,
    Option<"tuningDb", "tuning-db", "std::string", /*default=*/"\"\"",
           "JSON tuning database whose measurements override the model">,
    Option<"device", "device", "std::string", /*default=*/"\"\"",
           "device name; tuning-db entries for another device are skipped">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "print each op's estimated cost per schedule and the choice "
           "(also: the global flag --ssd-explain)">,
    Option<"chunkedForm", "chunked-form", "std::string", /*default=*/"\"staged\"",
           "how a GPU target runs a chunked SSD: staged (four kernels) or "
           "fused (one kernel at the chunk sizes it supports; costed so)">,
  ];
  let dependentDialects = ["::ssdc::ssd::SSDDialect",
                           "::mlir::func::FuncDialect"];
}

def DecomposeChunked : Pass<"ssd-decompose-chunked"> {
  let summary = "lower a chunked ssd.sma to the four chunk ops";
  let description = [{
    Before:
    ```mlir
    %y, %s = ssd.sma %q, %k, %v decay(%a) init(%s0)
        {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 64>}
    ```
    After:
    ```mlir
    %a1, %cum = ssd.chunk_cumsum %a {chunk_size = 64 : i64}
    %st = ssd.chunk_state %k, %v, %cum {chunk_size = 64 : i64}
    %prev, %s = ssd.state_pass %st, %cum init(%s0) {chunk_size = 64 : i64}
    %y = ssd.chunk_output %q, %k, %v, %cum, %prev {chunk_size = 64 : i64}
    ```
    A causal-mask sma cannot be decomposed yet (no log decay to sum): error.

    With `keep-fused`, an sma whose shape the fused CUDA kernel supports
    (codegen/cuda/include/ssdc/ssd_fused_launch.h: head dim, state size,
    chunk size, and bf16 q/k/v for its tensor-core path) stays whole: ssd-fuse
    folds it back into an `ssd.ssm` with the chunked schedule, which the CUDA
    backend runs as one kernel. Other shapes are still decomposed.
  }];
  let options = [
    Option<"keepFused", "keep-fused", "bool", /*default=*/"false",
           "keep a chunked sma whole when the fused CUDA kernel supports its shape">,
  ];
  let dependentDialects = ["::ssdc::ssd::SSDDialect"];
}

def Fuse : Pass<"ssd-fuse"> {
  let summary = "fold dt processing and the D-skip into the kernels' ops";
  let description = [{
    Chunked: `chunk_cumsum(mul(clamp(softplus(dt + bias)), A))` becomes
    `chunk_cumsum %dt A(%A) dt_bias(%bias) {dt_softplus, dt_limit}` (its
    `dt_out` replaces the processed dt elsewhere, e.g. in `v = x·dt`), and
    `add(chunk_output(...), x·D)` becomes `chunk_output ... skip(%x, %D)`.
    Recurrent and quadratic: the sma and its producers are folded back into an
    `ssd.ssm` (the `ssd-recover-ssm` rewrite) carrying the schedule, because
    those kernels take the raw dt, A, dt_bias, D operands.
    Before:
    ```mlir
    %a = ssd.mul %dtp, %A
    %a1, %cum = ssd.chunk_cumsum %a {chunk_size = 64 : i64}
    ```
    After:
    ```mlir
    %dtp, %cum = ssd.chunk_cumsum %dt A(%A) dt_bias(%b) {chunk_size = 64 : i64, dt_softplus}
    ```
  }];
  let dependentDialects = ["::ssdc::ssd::SSDDialect"];
}

def FuseResidual : Pass<"ssd-fuse-residual"> {
  let summary = "fold a residual add into the projection before it";
  let description = [{
    A block's output projection followed by the residual stream's add becomes
    one `ssd.linear` with a `residual` operand (the GEMM accumulates into it:
    cuBLASLt's C with beta 1). Folded only when the product has no other use
    and the add's operands and result share one type (no broadcast or cast).
    Before:
    ```mlir
    %p = ssd.linear %y, %w : (tensor<?x?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x?x64xf32>
    %h = ssd.add %p, %r : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
    ```
    After:
    ```mlir
    %h = ssd.linear %y, %w residual %r
        : (tensor<?x?x128xbf16>, tensor<64x128xbf16>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
    ```
  }];
  let dependentDialects = ["::ssdc::ssd::SSDDialect"];
}

#endif // SSDC_PASSES_TD
