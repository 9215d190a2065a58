// Level-1 layer ops: each parses, prints, and parses again to the same text,
// also through the generic form.
// RUN: ssdc-opt %s | ssdc-opt | FileCheck %s
// RUN: ssdc-opt %s --mlir-print-op-generic | ssdc-opt | FileCheck %s

// CHECK-LABEL: func.func @weight
func.func @weight() -> tensor<256x64xf32> {
  // CHECK: %[[W:.*]] = ssd.weight "backbone.embeddings.weight" : tensor<256x64xf32>
  %w = ssd.weight "backbone.embeddings.weight" : tensor<256x64xf32>
  return %w : tensor<256x64xf32>
}

// CHECK-LABEL: func.func @embedding
func.func @embedding(%table: tensor<256x64xbf16>, %ids: tensor<?x?xi64>) -> tensor<?x?x64xbf16> {
  // CHECK: ssd.embedding %{{[a-z0-9_]+}}[%{{[a-z0-9_]+}}] : (tensor<256x64xbf16>, tensor<?x?xi64>) -> tensor<?x?x64xbf16>
  %h = ssd.embedding %table[%ids] : (tensor<256x64xbf16>, tensor<?x?xi64>) -> tensor<?x?x64xbf16>
  return %h : tensor<?x?x64xbf16>
}

// CHECK-LABEL: func.func @rmsnorm
func.func @rmsnorm(%x: tensor<?x?x512xf32>, %w: tensor<512xf32>, %z: tensor<?x?x512xf32>) -> tensor<?x?x512xf32> {
  // CHECK: ssd.rmsnorm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<?x?x512xf32>, tensor<512xf32>) -> tensor<?x?x512xf32>
  %a = ssd.rmsnorm %x, %w : (tensor<?x?x512xf32>, tensor<512xf32>) -> tensor<?x?x512xf32>
  // CHECK: ssd.rmsnorm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} gate %{{[a-z0-9_]+}} {eps = 5.000000e-01 : f64, group_size = 256 : i64} : (tensor<?x?x512xf32>, tensor<512xf32>, tensor<?x?x512xf32>) -> tensor<?x?x512xf32>
  %b = ssd.rmsnorm %a, %w gate %z {eps = 5.0e-01 : f64, group_size = 256 : i64} : (tensor<?x?x512xf32>, tensor<512xf32>, tensor<?x?x512xf32>) -> tensor<?x?x512xf32>
  // CHECK: ssd.rmsnorm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} gate %{{[a-z0-9_]+}} {norm_before_gate} :
  %c = ssd.rmsnorm %b, %w gate %z {norm_before_gate} : (tensor<?x?x512xf32>, tensor<512xf32>, tensor<?x?x512xf32>) -> tensor<?x?x512xf32>
  return %c : tensor<?x?x512xf32>
}

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<?x?x64xf16>, %w: tensor<256x64xf16>, %b: tensor<256xf16>) -> tensor<?x?x256xf16> {
  // CHECK: ssd.linear %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<?x?x64xf16>, tensor<256x64xf16>) -> tensor<?x?x256xf16>
  %y = ssd.linear %x, %w : (tensor<?x?x64xf16>, tensor<256x64xf16>) -> tensor<?x?x256xf16>
  // CHECK: ssd.linear %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} bias %{{[a-z0-9_]+}} : (tensor<?x?x64xf16>, tensor<256x64xf16>, tensor<256xf16>) -> tensor<?x?x256xf16>
  %z = ssd.linear %x, %w bias %b : (tensor<?x?x64xf16>, tensor<256x64xf16>, tensor<256xf16>) -> tensor<?x?x256xf16>
  return %z : tensor<?x?x256xf16>
}

// CHECK-LABEL: func.func @conv1d
func.func @conv1d(%x: tensor<?x?x96xf32>, %w: tensor<96x4xf32>, %b: tensor<96xf32>, %s: tensor<?x96x4xf32>) -> tensor<?x?x96xf32> {
  // CHECK: ssd.conv1d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<?x?x96xf32>, tensor<96x4xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  %y0, %s0 = ssd.conv1d %x, %w : (tensor<?x?x96xf32>, tensor<96x4xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  // CHECK: ssd.conv1d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} bias %{{[a-z0-9_]+}} state %{{[a-z0-9_]+}} {silu} : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<96xf32>, tensor<?x96x4xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  %y1, %s1 = ssd.conv1d %y0, %w bias %b state %s {silu} : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<96xf32>, tensor<?x96x4xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  // The state alone (no bias) is told apart from the bias by its keyword.
  // CHECK: ssd.conv1d %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} state %{{[a-z0-9_]+}} : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<?x96x4xf32>)
  %y2, %s2 = ssd.conv1d %y1, %w state %s1 : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<?x96x4xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  return %y2 : tensor<?x?x96xf32>
}

// CHECK-LABEL: func.func @split_reshape
func.func @split_reshape(%zxbcdt: tensor<?x?x292xf32>) -> tensor<?x?x4x32xf32> {
  // CHECK: %{{[a-z0-9_]+}}:3 = ssd.split %{{[a-z0-9_]+}} [128, 160, 4] : tensor<?x?x292xf32> -> tensor<?x?x128xf32>, tensor<?x?x160xf32>, tensor<?x?x4xf32>
  %z, %xbc, %dt = ssd.split %zxbcdt [128, 160, 4] : tensor<?x?x292xf32> -> tensor<?x?x128xf32>, tensor<?x?x160xf32>, tensor<?x?x4xf32>
  // CHECK: ssd.reshape %{{[a-z0-9_#]+}} : tensor<?x?x128xf32> -> tensor<?x?x4x32xf32>
  %x = ssd.reshape %z : tensor<?x?x128xf32> -> tensor<?x?x4x32xf32>
  return %x : tensor<?x?x4x32xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x?x4xf32>, %bias: tensor<4xf32>, %a_log: tensor<4xf32>) -> tensor<?x?x4xf32> {
  // CHECK: ssd.add %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %0 = ssd.add %x, %bias : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  // CHECK: ssd.softplus %{{[a-z0-9_]+}} : tensor<?x?x4xf32>
  %1 = ssd.softplus %0 : tensor<?x?x4xf32>
  // CHECK: ssd.clamp %{{[a-z0-9_]+}} {max = 0x7FF0000000000000 : f64, min = 1.000000e-03 : f64} : tensor<?x?x4xf32>
  %2 = ssd.clamp %1 {min = 1.0e-3 : f64, max = 0x7FF0000000000000 : f64} : tensor<?x?x4xf32>
  // CHECK: ssd.exp %{{[a-z0-9_]+}} : tensor<4xf32>
  %3 = ssd.exp %a_log : tensor<4xf32>
  // CHECK: ssd.neg %{{[a-z0-9_]+}} : tensor<4xf32>
  %4 = ssd.neg %3 : tensor<4xf32>
  // CHECK: ssd.mul %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %5 = ssd.mul %2, %4 : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  // CHECK: ssd.silu %{{[a-z0-9_]+}} : tensor<?x?x4xf32>
  %6 = ssd.silu %5 : tensor<?x?x4xf32>
  return %6 : tensor<?x?x4xf32>
}

// CHECK-LABEL: func.func @cast
func.func @cast(%h: tensor<?x?x64xbf16>) -> tensor<?x?x64xf32> {
  // CHECK: ssd.cast %{{[a-z0-9_]+}} : tensor<?x?x64xbf16> to tensor<?x?x64xf32>
  %r = ssd.cast %h : tensor<?x?x64xbf16> to tensor<?x?x64xf32>
  return %r : tensor<?x?x64xf32>
}
