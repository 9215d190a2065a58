// ssd-fuse: after normalisation, selection and decomposition, the dt
// processing folds into chunk_cumsum and the D-skip into chunk_output;
// recurrent and quadratic sma ops fold back into ssd.ssm (their kernels take
// raw dt, A, dt_bias, D).
// RUN: ssdc-opt %s -split-input-file --ssd-normalize-duality --ssd-decompose-chunked --ssd-fuse | FileCheck %s

// CHECK-LABEL: func.func @chunked
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: {{[^,]*}}, %[[DT:[a-z0-9_]+]]: {{[^,]*}}, %[[A:[a-z0-9_]+]]: {{[^,]*}}, %[[B:[a-z0-9_]+]]: {{[^,]*}}, %[[C:[a-z0-9_]+]]: {{[^,]*}}, %[[D:[a-z0-9_]+]]: {{[^,]*}}, %[[BIAS:[a-z0-9_]+]]: {{[^)]*}})
// CHECK:      %[[DTP:.*]], %[[CUM:.*]] = ssd.chunk_cumsum %[[DT]] A(%[[A]]) dt_bias(%[[BIAS]]) {chunk_size = 128 : i64, dt_limit = array<f64: 0.000000e+00, 0x7FF0000000000000>, dt_softplus}
// CHECK-NEXT: %[[DT4:.*]] = ssd.reshape %[[DTP]] : tensor<?x?x4xf32> -> tensor<?x?x4x1xf32>
// CHECK-NEXT: %[[V:.*]] = ssd.mul %[[X]], %[[DT4]]
// CHECK-NEXT: %[[ST:.*]] = ssd.chunk_state %[[B]], %[[V]], %[[CUM]] {chunk_size = 128 : i64}
// CHECK-NEXT: %[[PREV:.*]], %[[FIN:.*]] = ssd.state_pass %[[ST]], %[[CUM]] {chunk_size = 128 : i64}
// CHECK-NEXT: %[[Y:.*]] = ssd.chunk_output %[[C]], %[[B]], %[[V]], %[[CUM]], %[[PREV]] skip(%[[X]], %[[D]]) {chunk_size = 128 : i64}
// CHECK-NEXT: return %[[Y]], %[[FIN]]
func.func @chunked(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                   %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<4xf32>, %bias: tensor<4xf32>)
    -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias)
      {dt_softplus, dt_limit = array<f64: 0.0, 0x7FF0000000000000>, schedule = #ssd.schedule<chunked, 128>}
      : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<4xf32>, tensor<4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y, %s : tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
}

// -----

// bf16: the fused cumsum's dt_out (f32) is cast for v; D stays f32.
// CHECK-LABEL: func.func @chunked_bf16
// CHECK:      %[[DTP:.*]], %[[CUM:.*]] = ssd.chunk_cumsum %arg1 A(%arg2) {chunk_size = 64 : i64, dt_softplus} : (tensor<?x?x4xbf16>, tensor<4xf32>)
// CHECK-NEXT: %[[DT16:.*]] = ssd.cast %[[DTP]] : tensor<?x?x4xf32> to tensor<?x?x4xbf16>
// CHECK:      ssd.chunk_output {{.*}} skip(%arg0, %arg5) {chunk_size = 64 : i64} : {{.*}}tensor<4xf32>) -> tensor<?x?x4x32xbf16>
// CHECK-NOT: ssd.softplus
func.func @chunked_bf16(%x: tensor<?x?x4x32xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>,
                        %B: tensor<?x?x1x16xbf16>, %C: tensor<?x?x1x16xbf16>, %D: tensor<4xf32>) -> tensor<?x?x4x32xbf16> {
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) {dt_softplus, schedule = #ssd.schedule<chunked, 64>}
      : (tensor<?x?x4x32xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x16xbf16>, tensor<?x?x1x16xbf16>, tensor<4xf32>)
        -> (tensor<?x?x4x32xbf16>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xbf16>
}

// -----

// Recurrent and quadratic: back to ssd.ssm with the schedule; no producers left.
// CHECK-LABEL: func.func @recurrent_quadratic
// CHECK-NEXT: %[[Y0:.*]], %{{.*}} = ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 D(%arg5) dt_bias(%arg6) init(%arg7) {dt_softplus, schedule = #ssd.schedule<recurrent, "cost-model">}
// CHECK-NEXT: %[[Y1:.*]], %{{.*}} = ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 D(%arg5) dt_bias(%arg6) {dt_softplus, schedule = #ssd.schedule<quadratic, "cost-model">}
// CHECK-NEXT: return %[[Y0]], %[[Y1]]
func.func @recurrent_quadratic(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                               %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<4xf32>,
                               %bias: tensor<4xf32>, %s0: tensor<?x4x32x16xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>) {
  %y0, %s0o = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias) init(%s0) {dt_softplus, schedule = #ssd.schedule<recurrent, "cost-model">}
      : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?x4x32x16xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  %y1, %s1 = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias) {dt_softplus, schedule = #ssd.schedule<quadratic, "cost-model">}
      : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<4xf32>, tensor<4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y0, %y1 : tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>
}
