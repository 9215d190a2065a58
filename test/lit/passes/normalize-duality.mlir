// ssd-normalize-duality: every ssd.ssm becomes the normal form ssd.sma with
// its dt processing and D-skip as elementwise ops; then ssd-recover-ssm
// folds it back (the duality both ways).
// RUN: ssdc-opt %s -split-input-file --ssd-normalize-duality | FileCheck %s
// RUN: ssdc-opt %s -split-input-file --ssd-normalize-duality --ssd-recover-ssm | FileCheck %s --check-prefix=BACK

// Every step of the dt processing, D [h], an initial state, a schedule.
// CHECK-LABEL: func.func @full
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: {{[^,]*}}, %[[DT:[a-z0-9_]+]]: {{[^,]*}}, %[[A:[a-z0-9_]+]]: {{[^,]*}}, %[[B:[a-z0-9_]+]]: {{[^,]*}}, %[[C:[a-z0-9_]+]]: {{[^,]*}}, %[[D:[a-z0-9_]+]]: {{[^,]*}}, %[[BIAS:[a-z0-9_]+]]: {{[^,]*}}, %[[S0:[a-z0-9_]+]]: {{[^)]*}})
// CHECK:      %[[B1:.*]] = ssd.add %[[DT]], %[[BIAS]] : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
// CHECK-NEXT: %[[SP:.*]] = ssd.softplus %[[B1]] : tensor<?x?x4xf32>
// CHECK-NEXT: %[[DTP:.*]] = ssd.clamp %[[SP]] {max = 1.000000e+01 : f64, min = 1.000000e-03 : f64} : tensor<?x?x4xf32>
// CHECK-NEXT: %[[LA:.*]] = ssd.mul %[[DTP]], %[[A]] : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
// CHECK-NEXT: %[[DT4:.*]] = ssd.reshape %[[DTP]] : tensor<?x?x4xf32> -> tensor<?x?x4x1xf32>
// CHECK-NEXT: %[[V:.*]] = ssd.mul %[[X]], %[[DT4]] : tensor<?x?x4x32xf32>, tensor<?x?x4x1xf32> -> tensor<?x?x4x32xf32>
// CHECK-NEXT: %[[Y:.*]], %[[S:.*]] = ssd.sma %[[C]], %[[B]], %[[V]] decay(%[[LA]]) init(%[[S0]]) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 64, "user">}
// CHECK-NEXT: %[[D1:.*]] = ssd.reshape %[[D]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK-NEXT: %[[XD:.*]] = ssd.mul %[[X]], %[[D1]] : tensor<?x?x4x32xf32>, tensor<4x1xf32> -> tensor<?x?x4x32xf32>
// CHECK-NEXT: %[[YD:.*]] = ssd.add %[[Y]], %[[XD]]
// CHECK-NEXT: return %[[YD]], %[[S]]
// CHECK-NOT: ssd.ssm
// BACK-LABEL: func.func @full
// BACK-NOT: ssd.sma
// BACK:      %[[Y:.*]], %[[S:.*]] = ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 D(%arg5) dt_bias(%arg6) init(%arg7) {dt_limit = array<f64: 1.000000e-03, 1.000000e+01>, dt_softplus, schedule = #ssd.schedule<chunked, 64, "user">}
// BACK-NEXT: return %[[Y]], %[[S]]
func.func @full(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<4xf32>,
                %bias: tensor<4xf32>, %s0: tensor<?x4x32x16xf32>)
    -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias) init(%s0)
      {dt_softplus, dt_limit = array<f64: 0.001, 10.0>, schedule = #ssd.schedule<chunked, 64, "user">}
      : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>,
         tensor<4xf32>, tensor<4xf32>, tensor<?x4x32x16xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y, %s : tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
}

// -----

// No dt processing, no D: only the log decay and v remain.
// CHECK-LABEL: func.func @bare
// CHECK-NOT: ssd.softplus
// CHECK-NOT: ssd.clamp
// CHECK:      %[[LA:.*]] = ssd.mul %arg1, %arg2 : tensor<2x8x4xf32>, tensor<4xf32> -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[DT4:.*]] = ssd.reshape %arg1 : tensor<2x8x4xf32> -> tensor<2x8x4x1xf32>
// CHECK-NEXT: %[[V:.*]] = ssd.mul %arg0, %[[DT4]]
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = ssd.sma %arg4, %arg3, %[[V]] decay(%[[LA]]) {mask = #ssd.mask<decay>}
// CHECK-NEXT: return %[[Y]]
// BACK-LABEL: func.func @bare
// BACK: ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 :
func.func @bare(%x: tensor<2x8x4x32xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>,
                %B: tensor<2x8x2x16xf32>, %C: tensor<2x8x2x16xf32>) -> tensor<2x8x4x32xf32> {
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<2x8x4x32xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>)
        -> (tensor<2x8x4x32xf32>, tensor<2x4x32x16xf32>)
  return %y : tensor<2x8x4x32xf32>
}

// -----

// bf16 activations: dt is processed in f32 (cast in), v and the skip are
// bf16 (cast out); D [h,p] needs no reshape.
// CHECK-LABEL: func.func @bf16
// CHECK:      %[[DT32:.*]] = ssd.cast %arg1 : tensor<?x?x4xbf16> to tensor<?x?x4xf32>
// CHECK-NEXT: %[[SP:.*]] = ssd.softplus %[[DT32]] : tensor<?x?x4xf32>
// CHECK-NEXT: %[[LA:.*]] = ssd.mul %[[SP]], %arg2
// CHECK-NEXT: %[[DT16:.*]] = ssd.cast %[[SP]] : tensor<?x?x4xf32> to tensor<?x?x4xbf16>
// CHECK-NEXT: %[[DT4:.*]] = ssd.reshape %[[DT16]] : tensor<?x?x4xbf16> -> tensor<?x?x4x1xbf16>
// CHECK-NEXT: %[[V:.*]] = ssd.mul %arg0, %[[DT4]] : tensor<?x?x4x32xbf16>, tensor<?x?x4x1xbf16> -> tensor<?x?x4x32xbf16>
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = ssd.sma %arg4, %arg3, %[[V]] decay(%[[LA]])
// CHECK-NEXT: %[[D16:.*]] = ssd.cast %arg5 : tensor<4x32xf32> to tensor<4x32xbf16>
// CHECK-NEXT: %[[XD:.*]] = ssd.mul %arg0, %[[D16]] : tensor<?x?x4x32xbf16>, tensor<4x32xbf16> -> tensor<?x?x4x32xbf16>
// CHECK-NEXT: ssd.add %[[Y]], %[[XD]]
// BACK-LABEL: func.func @bf16
// BACK: ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 D(%arg5) {dt_softplus}
func.func @bf16(%x: tensor<?x?x4x32xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>,
                %B: tensor<?x?x1x16xbf16>, %C: tensor<?x?x1x16xbf16>, %D: tensor<4x32xf32>)
    -> tensor<?x?x4x32xbf16> {
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) {dt_softplus}
      : (tensor<?x?x4x32xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x16xbf16>, tensor<?x?x1x16xbf16>, tensor<4x32xf32>)
        -> (tensor<?x?x4x32xbf16>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xbf16>
}
