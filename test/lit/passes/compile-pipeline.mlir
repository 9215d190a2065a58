// ssd-compile-pipeline on the demo model: normalize-duality, select-schedule,
// decompose-chunked, fuse, fuse-residual. Decode keeps a recurrent ssm; the
// prefill versions go from recurrent (l = 1) to the staged chunked ops (the
// cuda-sm90 model fitted to the H100's measured kernel times, d55b4d5, prices
// the 2..512 bucket at its upper bound, where chunked-32 beats quadratic).
// RUN: ssdc-opt %ssdc_src/test/lit/models/Inputs/tiny-model.mlir --ssd-compile-pipeline="buckets=1,512,4096" | FileCheck %s

// CHECK-LABEL: func.func @prefill__L1_1(
// CHECK-LABEL: func.func private @layer0__L1_1(
// CHECK: ssd.ssm {{.*}} D(%{{.*}}) dt_bias(%{{.*}}) {{{.*}}dt_softplus, schedule = #ssd.schedule<recurrent, "cost-model">}
// CHECK-LABEL: func.func private @layer0__L2_512(
// CHECK-NOT: ssd.sma
// CHECK: ssd.chunk_cumsum %{{.*}} A(%{{.*}}) dt_bias(%{{.*}}) {chunk_size = 32 : i64, dt_limit = array<f64: 0.000000e+00, 0x7FF0000000000000>, dt_softplus}
// CHECK: ssd.chunk_output {{.*}} skip(%{{.*}}, %{{.*}}) {chunk_size = 32 : i64}
// CHECK-LABEL: func.func private @layer0__L4097_inf(
// CHECK-NOT: ssd.sma
// CHECK: ssd.chunk_cumsum %{{.*}} A(%{{.*}}) dt_bias(%{{.*}}) {chunk_size = 64 : i64, dt_limit = array<f64: 0.000000e+00, 0x7FF0000000000000>, dt_softplus}
// CHECK: ssd.chunk_state
// CHECK: ssd.state_pass
// CHECK: ssd.chunk_output {{.*}} skip(%{{.*}}, %{{.*}}) {chunk_size = 64 : i64}
// CHECK-NOT: ssd.softplus
// CHECK-LABEL: func.func @decode(
// CHECK: ssd.ssm {{.*}} init(%arg2) {{{.*}}schedule = #ssd.schedule<recurrent, "cost-model">}
