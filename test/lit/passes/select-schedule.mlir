// ssd-select-schedule: per-op schedules from the cost model (cuda-sm90 and
// cpu), length-bucket versions, the tuning database, --ssd-explain, errors.
// Shapes are mamba2-2.7b's (h 80, p 64, g 1, n 128, bf16) at batch 1.
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048" | FileCheck %s
// RUN: ssdc-opt %s --ssd-select-schedule="target=cpu buckets=64,2048" | FileCheck %s --check-prefix=CPU
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048 tuning-db=%S/Inputs/tuning-db.json" | FileCheck %s --check-prefix=DB
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048 tuning-db=%S/Inputs/tuning-db.json device={NVIDIA H100 80GB HBM3}" | FileCheck %s --check-prefix=DEV
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048 explain" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048 tuning-db=%S/Inputs/tuning-db.json" --ssd-explain -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN-DB
//
// RUN: not ssdc-opt %s --ssd-select-schedule=target=tpu 2>&1 | FileCheck %s --check-prefix=ERR-TARGET
// ERR-TARGET: error: ssd-select-schedule: unknown target 'tpu' (known: cpu, cuda-sm90)
// RUN: not ssdc-opt %s --ssd-select-schedule=buckets=64,64 2>&1 | FileCheck %s --check-prefix=ERR-BUCKETS
// ERR-BUCKETS: error: ssd-select-schedule: buckets must be positive and ascending, got 64 after 64
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/no-such-file.json 2>&1 | FileCheck %s --check-prefix=ERR-MISSING
// ERR-MISSING: error: tuning-db '{{.*}}no-such-file.json': cannot read: {{.*}}
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/tuning-db-v2.json 2>&1 | FileCheck %s --check-prefix=ERR-VERSION
// ERR-VERSION: error: tuning-db '{{.*}}tuning-db-v2.json': $.version: is 2, this ssdc reads version 1
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/tuning-db-bad-field.json 2>&1 | FileCheck %s --check-prefix=ERR-FIELD
// ERR-FIELD: error: tuning-db '{{.*}}tuning-db-bad-field.json': $.entries[0].h: expected a positive integer
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/tuning-db-bad-schedule.json 2>&1 | FileCheck %s --check-prefix=ERR-SCHED
// ERR-SCHED: error: tuning-db '{{.*}}tuning-db-bad-schedule.json': $.entries[0].times_us.blocked-64: unknown schedule
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/tuning-db-bad-target.json 2>&1 | FileCheck %s --check-prefix=ERR-DBTARGET
// ERR-DBTARGET: error: tuning-db '{{.*}}tuning-db-bad-target.json': $.entries[0].target: unknown target 'rocm'
// RUN: not ssdc-opt %s --ssd-select-schedule=tuning-db=%S/Inputs/tuning-db-invalid.json 2>&1 | FileCheck %s --check-prefix=ERR-JSON
// ERR-JSON: error: tuning-db '{{.*}}tuning-db-invalid.json': $: invalid JSON:

// Decode (l = 1, static): recurrent, no versions.
// CHECK-LABEL: func.func @decode(
// CHECK-NOT: attributes
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<recurrent, "cost-model">
// CPU-LABEL: func.func @decode(
// CPU: schedule = #ssd.schedule<recurrent, "cost-model">
func.func @decode(%q: tensor<?x1x1x128xbf16>, %k: tensor<?x1x1x128xbf16>, %v: tensor<?x1x80x64xbf16>,
                  %a: tensor<?x1x80xf32>, %s0: tensor<?x80x64x128xf32>) -> tensor<?x1x80x64xbf16> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) init(%s0) {mask = #ssd.mask<decay>}
      : (tensor<?x1x1x128xbf16>, tensor<?x1x1x128xbf16>, tensor<?x1x80x64xbf16>, tensor<?x1x80xf32>, tensor<?x80x64x128xf32>)
        -> (tensor<?x1x80x64xbf16>, tensor<?x80x64x128xf32>)
  return %y : tensor<?x1x80x64xbf16>
}

// A prompt of any length: one version per bucket, in bucket order; the
// private layer it calls is cloned with it and the originals are gone.
// Short prompts are quadratic, long ones chunked (Q = 64 on cuda-sm90: the
// kernels' measured times, docs/perf/gpu_short.md).
// CHECK-LABEL: func.func @prefill__L1_64(
// CHECK-SAME: attributes {ssd.entry = "prefill", ssd.l_max = 64 : i64, ssd.l_min = 1 : i64}
// CHECK: call @layer__L1_64(
// CHECK-LABEL: func.func private @layer__L1_64(
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<quadratic, "cost-model">
// CHECK-LABEL: func.func @prefill__L65_2048(
// CHECK-SAME: attributes {ssd.entry = "prefill", ssd.l_max = 2048 : i64, ssd.l_min = 65 : i64}
// CHECK: call @layer__L65_2048(
// CHECK-LABEL: func.func private @layer__L65_2048(
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<chunked, 64, "cost-model">
// CHECK-LABEL: func.func @prefill__L2049_inf(
// CHECK-SAME: attributes {ssd.entry = "prefill", ssd.l_min = 2049 : i64}
// CHECK: call @layer__L2049_inf(
// CHECK-LABEL: func.func private @layer__L2049_inf(
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<chunked, 64, "cost-model">
// RUN: ssdc-opt %s --ssd-select-schedule="buckets=64,2048" | FileCheck %s --check-prefix=GONE
// GONE: module
// GONE-NOT: func.func @prefill(
// GONE-NOT: func.func private @layer(
//
// The cpu target's fit of measured kernel times (docs/perf/cpu_crossovers.md:
// quadratic fastest up to L = 64, chunked with Q = 32-128 beyond at b·h = 32):
// quadratic up to 64, chunked with Q = 64 above.
// CPU-LABEL: func.func private @layer__L1_64(
// CPU: schedule = #ssd.schedule<quadratic, "cost-model">
// CPU-LABEL: func.func private @layer__L65_2048(
// CPU: schedule = #ssd.schedule<chunked, 64, "cost-model">
// CPU-LABEL: func.func private @layer__L2049_inf(
// CPU: schedule = #ssd.schedule<chunked, 64, "cost-model">
//
// The tuning database measured l >= 2049 (chunked-128 fastest): it wins over
// the model's Q = 64. Its H200 entry (l <= 64) applies when no device is
// named, and not for an H100.
// DB-LABEL: func.func private @layer__L1_64(
// DB: schedule = #ssd.schedule<recurrent, "tuning-db">
// DB-LABEL: func.func private @layer__L65_2048(
// DB: schedule = #ssd.schedule<chunked, 64, "cost-model">
// DB-LABEL: func.func private @layer__L2049_inf(
// DB: schedule = #ssd.schedule<chunked, 128, "tuning-db">
// DEV-LABEL: func.func private @layer__L1_64(
// DEV: schedule = #ssd.schedule<quadratic, "cost-model">
// DEV-LABEL: func.func private @layer__L2049_inf(
// DEV: schedule = #ssd.schedule<chunked, 128, "tuning-db">
func.func @prefill(%q: tensor<1x?x1x128xbf16>, %k: tensor<1x?x1x128xbf16>, %v: tensor<1x?x80x64xbf16>,
                   %a: tensor<1x?x80xf32>) -> tensor<1x?x80x64xbf16> {
  %y = func.call @layer(%q, %k, %v, %a)
      : (tensor<1x?x1x128xbf16>, tensor<1x?x1x128xbf16>, tensor<1x?x80x64xbf16>, tensor<1x?x80xf32>) -> tensor<1x?x80x64xbf16>
  return %y : tensor<1x?x80x64xbf16>
}
func.func private @layer(%q: tensor<1x?x1x128xbf16>, %k: tensor<1x?x1x128xbf16>, %v: tensor<1x?x80x64xbf16>,
                         %a: tensor<1x?x80xf32>) -> tensor<1x?x80x64xbf16> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>}
      : (tensor<1x?x1x128xbf16>, tensor<1x?x1x128xbf16>, tensor<1x?x80x64xbf16>, tensor<1x?x80xf32>)
        -> (tensor<1x?x80x64xbf16>, tensor<1x80x64x128xf32>)
  return %y : tensor<1x?x80x64xbf16>
}

// Softmax attention: quadratic in every bucket.
// CHECK-LABEL: func.func @attention__L1_64(
// CHECK: ssd.attention {{.*}}schedule = #ssd.schedule<quadratic, "softmax-rule">
// CHECK-LABEL: func.func @attention__L65_2048(
// CHECK: ssd.attention {{.*}}schedule = #ssd.schedule<quadratic, "softmax-rule">
// CHECK-LABEL: func.func @attention__L2049_inf(
// CHECK: ssd.attention {{.*}}schedule = #ssd.schedule<quadratic, "softmax-rule">
func.func @attention(%q: tensor<?x?x30x128xbf16>, %k: tensor<?x?x30x128xbf16>, %v: tensor<?x?x30x128xbf16>)
    -> tensor<?x?x30x128xbf16> {
  %y, %k2, %v2 = ssd.attention %q, %k, %v {rotary_dim = 64 : i64}
      : (tensor<?x?x30x128xbf16>, tensor<?x?x30x128xbf16>, tensor<?x?x30x128xbf16>)
        -> (tensor<?x?x30x128xbf16>, tensor<?x?x30x128xbf16>, tensor<?x?x30x128xbf16>)
  return %y : tensor<?x?x30x128xbf16>
}

// A causal-mask sma is never chunked (it cannot be decomposed yet), even
// long: at 16384 tokens the recurrent kernel (~1.7 us a token at 80 heads)
// beats the quadratic one (O(L^2); measured at L = 2048, 80 heads: 3.6 ms vs
// 7.4 ms). A schedule already in the IR is kept.
// CHECK-LABEL: func.func @causal_and_kept(
// CHECK: ssd.sma {{.*}}mask = #ssd.mask<causal>, schedule = #ssd.schedule<recurrent, "cost-model">
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<recurrent, "user">
func.func @causal_and_kept(%q: tensor<1x16384x1x128xbf16>, %k: tensor<1x16384x1x128xbf16>,
                           %v: tensor<1x16384x80x64xbf16>, %a: tensor<1x16384x80xf32>)
    -> (tensor<1x16384x80x64xbf16>, tensor<1x16384x80x64xbf16>) {
  %y0, %s0 = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<1x16384x1x128xbf16>, tensor<1x16384x1x128xbf16>, tensor<1x16384x80x64xbf16>)
        -> (tensor<1x16384x80x64xbf16>, tensor<1x80x64x128xf32>)
  %y1, %s1 = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<recurrent, "user">}
      : (tensor<1x16384x1x128xbf16>, tensor<1x16384x1x128xbf16>, tensor<1x16384x80x64xbf16>, tensor<1x16384x80xf32>)
        -> (tensor<1x16384x80x64xbf16>, tensor<1x80x64x128xf32>)
  return %y0, %y1 : tensor<1x16384x80x64xbf16>, tensor<1x16384x80x64xbf16>
}

// EXPLAIN-LABEL: ssd-explain: @decode ssd.sma loc({{.*}}) on cuda-sm90: b=1 l=1 h=80 p=64 g=1 n=128 bf16
// EXPLAIN-NEXT:  length 1 (static); decode: recurrent by rule
// EXPLAIN-NEXT:  recurrent {{ *[0-9.]+}} us  <- chosen (cost-model)
// EXPLAIN-NEXT:  quadratic {{ *[0-9.]+}} us
// EXPLAIN-NEXT:  chunked-32 {{ *[0-9.]+}} us
// EXPLAIN-NEXT:  chunked-64 {{ *[0-9.]+}} us
// EXPLAIN-NEXT:  chunked-128 {{ *[0-9.]+}} us
// EXPLAIN-NEXT:  chunked-256 {{ *[0-9.]+}} us
// EXPLAIN-LABEL: ssd-explain: @layer__L1_64 ssd.sma
// EXPLAIN-NEXT:  length 64 (bucket 1..64)
// EXPLAIN:       quadratic {{ *[0-9.]+}} us  <- chosen (cost-model)
// EXPLAIN-LABEL: ssd-explain: @layer__L2049_inf ssd.sma
// EXPLAIN-NEXT:  length 4096 (bucket 2049..inf)
// EXPLAIN:       chunked-64 {{ *[0-9.]+}} us  <- chosen (cost-model)
// EXPLAIN-LABEL: ssd-explain: @attention__L1_64 ssd.attention
// EXPLAIN-NEXT:  quadratic {{ *[0-9.]+}} us  <- chosen (softmax: quadratic only)
// EXPLAIN-LABEL: ssd-explain: @causal_and_kept ssd.sma
// EXPLAIN-NEXT:  length 16384 (static); causal mask: no chunked schedule
// EXPLAIN-NEXT:  recurrent {{ *[0-9.]+}} us  <- chosen (cost-model)
// EXPLAIN-NEXT:  quadratic {{ *[0-9.]+}} us
// EXPLAIN-NEXT:  ssd-explain
//
// EXPLAIN-DB-LABEL: ssd-explain: @layer__L2049_inf ssd.sma
// EXPLAIN-DB:       quadratic {{ *[0-9.]+}} us  measured 900.000 us
// EXPLAIN-DB:       chunked-128 {{ *[0-9.]+}} us  measured 300.000 us  <- chosen (tuning-db)
// EXPLAIN-DB-NEXT:  chunked-256 {{ *[0-9.]+}} us  measured 350.000 us
