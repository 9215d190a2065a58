// ssd-recover-ssm: an sma whose producers are the duality pattern folds back
// into ssd.ssm; anything else stays an sma.
// RUN: ssdc-opt %s -split-input-file --ssd-recover-ssm | FileCheck %s
// RUN: ssdc-opt %s -split-input-file --ssd-recover-ssm=only-scheduled | FileCheck %s --check-prefix=SCHED

// The pattern written by hand, operands of mul in the other order.
// CHECK-LABEL: func.func @pattern
// CHECK-NOT: ssd.sma
// CHECK:      %[[Y:.*]], %[[S:.*]] = ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 D(%arg5) dt_bias(%arg6) {dt_softplus, schedule = #ssd.schedule<quadratic>}
// CHECK-NEXT: return %[[Y]], %[[S]]
// SCHED-LABEL: func.func @pattern
// SCHED: ssd.ssm
func.func @pattern(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                   %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<4xf32>,
                   %bias: tensor<4xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %0 = ssd.add %bias, %dt : tensor<4xf32>, tensor<?x?x4xf32> -> tensor<?x?x4xf32>
  %1 = ssd.softplus %0 : tensor<?x?x4xf32>
  %a = ssd.mul %A, %1 : tensor<4xf32>, tensor<?x?x4xf32> -> tensor<?x?x4xf32>
  %2 = ssd.reshape %1 : tensor<?x?x4xf32> -> tensor<?x?x4x1xf32>
  %v = ssd.mul %2, %x : tensor<?x?x4x1xf32>, tensor<?x?x4x32xf32> -> tensor<?x?x4x32xf32>
  %y, %s = ssd.sma %C, %B, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<quadratic>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  %d = ssd.reshape %D : tensor<4xf32> -> tensor<4x1xf32>
  %3 = ssd.mul %d, %x : tensor<4x1xf32>, tensor<?x?x4x32xf32> -> tensor<?x?x4x32xf32>
  %4 = ssd.add %3, %y : tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32> -> tensor<?x?x4x32xf32>
  return %4, %s : tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
}

// -----

// A causal mask has no ssm form; a chunked sma is left to decomposition
// under only-scheduled.
// CHECK-LABEL: func.func @causal
// CHECK: ssd.sma
// CHECK-NOT: ssd.ssm
func.func @causal(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>)
    -> tensor<?x?x4x32xf32> {
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xf32>
}

// -----

// v is not x·dt' for the dt' of the decay: no ssm form.
// CHECK-LABEL: func.func @other_v
// CHECK: ssd.sma
// CHECK-NOT: ssd.ssm
func.func @other_v(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %dt2: tensor<?x?x4xf32>,
                   %A: tensor<4xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>) -> tensor<?x?x4x32xf32> {
  %a = ssd.mul %dt, %A : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %2 = ssd.reshape %dt2 : tensor<?x?x4xf32> -> tensor<?x?x4x1xf32>
  %v = ssd.mul %x, %2 : tensor<?x?x4x32xf32>, tensor<?x?x4x1xf32> -> tensor<?x?x4x32xf32>
  %y, %s = ssd.sma %C, %B, %v decay(%a) {mask = #ssd.mask<decay>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xf32>
}

// -----

// The final state is used before the skip's add: the ssm is formed at the
// sma without D and the skip stays. Unscheduled: only-scheduled skips it.
// CHECK-LABEL: func.func @state_used_first
// CHECK:      %[[Y:.*]], %[[S:.*]] = ssd.ssm %arg0, %arg1, %arg2, %arg3, %arg4 :
// CHECK-NEXT: call @use(%[[S]])
// CHECK:      ssd.add %[[Y]],
// SCHED-LABEL: func.func @state_used_first
// SCHED: ssd.sma
// SCHED-NOT: ssd.ssm
func.func private @use(tensor<?x4x32x16xf32>)
func.func @state_used_first(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                            %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %D: tensor<4xf32>) -> tensor<?x?x4x32xf32> {
  %a = ssd.mul %dt, %A : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %2 = ssd.reshape %dt : tensor<?x?x4xf32> -> tensor<?x?x4x1xf32>
  %v = ssd.mul %x, %2 : tensor<?x?x4x32xf32>, tensor<?x?x4x1xf32> -> tensor<?x?x4x32xf32>
  %y, %s = ssd.sma %C, %B, %v decay(%a) {mask = #ssd.mask<decay>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  func.call @use(%s) : (tensor<?x4x32x16xf32>) -> ()
  %d = ssd.reshape %D : tensor<4xf32> -> tensor<4x1xf32>
  %3 = ssd.mul %x, %d : tensor<?x?x4x32xf32>, tensor<4x1xf32> -> tensor<?x?x4x32xf32>
  %4 = ssd.add %y, %3 : tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32> -> tensor<?x?x4x32xf32>
  return %4 : tensor<?x?x4x32xf32>
}
