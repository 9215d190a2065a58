// ssd-select-schedule{chunked-form=fused}: where the fused CUDA kernel runs a
// chunk size (bf16 at mamba2 shapes: Q 64 and 128), the cost model prices
// that chunked schedule as one kernel (its measured time per chunk,
// docs/perf/gpu_short.md), so a long sequence picks the fused Q = 128
// instead of the staged form's 64.
// RUN: ssdc-opt %s --ssd-select-schedule="target=cuda-sm90 chunked-form=fused" | FileCheck %s --check-prefix=FUSED
// RUN: ssdc-opt %s --ssd-select-schedule="target=cuda-sm90" | FileCheck %s --check-prefix=STAGED
// RUN: ssdc-opt %s --ssd-select-schedule="target=cuda-sm90 chunked-form=fused explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN

// FUSED-LABEL: func.func @long
// FUSED: schedule = #ssd.schedule<chunked, 128, "cost-model">
// STAGED-LABEL: func.func @long
// STAGED: schedule = #ssd.schedule<chunked, 64, "cost-model">
// EXPLAIN: chunked-64 {{.*}} (fused kernel)
// EXPLAIN: chunked-128 {{.*}} (fused kernel)  <- chosen (cost-model)
// EXPLAIN-NOT: chunked-256 {{.*}} (fused kernel)
func.func @long(%q: tensor<1x4096x1x128xbf16>, %k: tensor<1x4096x1x128xbf16>, %v: tensor<1x4096x24x64xbf16>,
                %a: tensor<1x4096x24xf32>) -> tensor<1x4096x24x64xbf16> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>}
      : (tensor<1x4096x1x128xbf16>, tensor<1x4096x1x128xbf16>, tensor<1x4096x24x64xbf16>, tensor<1x4096x24xf32>)
        -> (tensor<1x4096x24x64xbf16>, tensor<1x24x64x128xf32>)
  return %y : tensor<1x4096x24x64xbf16>
}
