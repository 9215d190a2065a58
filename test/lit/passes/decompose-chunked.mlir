// ssd-decompose-chunked: an sma scheduled chunked(Q) becomes chunk_cumsum →
// chunk_state → state_pass → chunk_output; other schedules are untouched.
// RUN: ssdc-opt %s -split-input-file -verify-diagnostics --ssd-decompose-chunked | FileCheck %s

// l = 130 in chunks of 64: c = 3 chunks, the last one short.
// CHECK-LABEL: func.func @chunked
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: {{[^,]*}}, %[[K:[a-z0-9_]+]]: {{[^,]*}}, %[[V:[a-z0-9_]+]]: {{[^,]*}}, %[[A:[a-z0-9_]+]]: {{[^,]*}}, %[[S0:[a-z0-9_]+]]: {{[^)]*}})
// CHECK:      %{{.*}}, %[[CUM:.*]] = ssd.chunk_cumsum %[[A]] {chunk_size = 64 : i64} : (tensor<2x130x4xf32>) -> (tensor<2x130x4xf32>, tensor<2x130x4xf32>)
// CHECK-NEXT: %[[ST:.*]] = ssd.chunk_state %[[K]], %[[V]], %[[CUM]] {chunk_size = 64 : i64} : ({{.*}}) -> tensor<2x3x4x32x16xf32>
// CHECK-NEXT: %[[PREV:.*]], %[[FIN:.*]] = ssd.state_pass %[[ST]], %[[CUM]] init(%[[S0]]) {chunk_size = 64 : i64} : ({{.*}}) -> (tensor<2x3x4x32x16xf32>, tensor<2x4x32x16xf32>)
// CHECK-NEXT: %[[Y:.*]] = ssd.chunk_output %[[Q]], %[[K]], %[[V]], %[[CUM]], %[[PREV]] {chunk_size = 64 : i64} : ({{.*}}) -> tensor<2x130x4x32xbf16>
// CHECK-NEXT: return %[[Y]], %[[FIN]]
// CHECK-NOT: ssd.sma
func.func @chunked(%q: tensor<2x130x1x16xbf16>, %k: tensor<2x130x1x16xbf16>, %v: tensor<2x130x4x32xbf16>,
                   %a: tensor<2x130x4xf32>, %s0: tensor<2x4x32x16xf32>)
    -> (tensor<2x130x4x32xbf16>, tensor<2x4x32x16xf32>) {
  %y, %s = ssd.sma %q, %k, %v decay(%a) init(%s0)
      {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 64, "cost-model">}
      : (tensor<2x130x1x16xbf16>, tensor<2x130x1x16xbf16>, tensor<2x130x4x32xbf16>, tensor<2x130x4xf32>, tensor<2x4x32x16xf32>)
        -> (tensor<2x130x4x32xbf16>, tensor<2x4x32x16xf32>)
  return %y, %s : tensor<2x130x4x32xbf16>, tensor<2x4x32x16xf32>
}

// -----

// Dynamic length: the chunk count is dynamic too.
// CHECK-LABEL: func.func @dynamic
// CHECK: ssd.chunk_state {{.*}} {chunk_size = 256 : i64} : ({{.*}}) -> tensor<?x?x4x32x16xf32>
// CHECK: ssd.state_pass {{.*}} -> (tensor<?x?x4x32x16xf32>, tensor<?x4x32x16xf32>)
func.func @dynamic(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>,
                   %a: tensor<?x?x4xf32>) -> tensor<?x?x4x32xf32> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 256>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xf32>
}

// -----

// Recurrent, quadratic and unscheduled sma ops stay.
// CHECK-LABEL: func.func @others
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<recurrent>
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<quadratic>
// CHECK: ssd.sma
// CHECK-NOT: ssd.chunk_
func.func @others(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>,
                  %a: tensor<?x?x4xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>) {
  %y0, %s0 = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<recurrent>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  %y1, %s1 = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<quadratic>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  %y2, %s2 = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y0, %y1, %y2 : tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>
}

// -----

// A causal mask has no log decay to sum.
func.func @causal(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>)
    -> tensor<?x?x4x32xf32> {
  // expected-error@+1 {{chunked decomposition of a causal-mask sma is not supported}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>, schedule = #ssd.schedule<chunked, 64>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y : tensor<?x?x4x32xf32>
}
