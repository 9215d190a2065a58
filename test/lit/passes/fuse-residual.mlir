// ssd-fuse-residual: the residual stream's add folds into the projection
// before it (the GEMM accumulates into the residual: cuBLASLt's C with beta 1),
// only when the product has no other use and no broadcast or cast is involved.
// RUN: ssdc-opt %s -split-input-file --ssd-fuse-residual | FileCheck %s

// A bf16 block's out_proj with an f32 result, then the residual add (either
// operand order): one linear with a residual operand, no add.
// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[Y:[a-z0-9_]+]]: {{[^,]*}}, %[[W:[a-z0-9_]+]]: {{[^,]*}}, %[[R:[a-z0-9_]+]]: {{[^)]*}})
// CHECK-NEXT: %[[H:.*]] = ssd.linear %[[Y]], %[[W]] residual %[[R]] : (tensor<?x?x128xbf16>, tensor<64x128xbf16>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
// CHECK-NEXT: %[[H2:.*]] = ssd.linear %[[Y]], %[[W]] residual %[[H]]
// CHECK-NEXT: return %[[H2]]
func.func @block(%y: tensor<?x?x128xbf16>, %w: tensor<64x128xbf16>, %r: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %p = ssd.linear %y, %w : (tensor<?x?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x?x64xf32>
  %h = ssd.add %p, %r : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  %p2 = ssd.linear %y, %w : (tensor<?x?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x?x64xf32>
  %h2 = ssd.add %h, %p2 : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %h2 : tensor<?x?x64xf32>
}

// -----

// A bias stays a bias; the residual joins it.
// CHECK-LABEL: func.func @bias
// CHECK: ssd.linear %{{.*}}, %{{.*}} bias %{{.*}} residual %{{.*}} : (tensor<?x?x128xf32>, tensor<64x128xf32>, tensor<64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
// CHECK-NOT: ssd.add
func.func @bias(%y: tensor<?x?x128xf32>, %w: tensor<64x128xf32>, %b: tensor<64xf32>, %r: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %p = ssd.linear %y, %w bias %b : (tensor<?x?x128xf32>, tensor<64x128xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
  %h = ssd.add %p, %r : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %h : tensor<?x?x64xf32>
}

// -----

// Not folded: the product is used twice, the add broadcasts, or the add is
// in another dtype than the product (a cast between them).
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: ssd.linear %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} :
// CHECK-NOT: residual
func.func @not_folded(%y: tensor<?x?x128xf32>, %w: tensor<64x128xf32>, %r: tensor<?x?x64xf32>, %v: tensor<64xf32>, %y16: tensor<?x?x128xbf16>, %w16: tensor<64x128xbf16>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  %p = ssd.linear %y, %w : (tensor<?x?x128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  %h = ssd.add %p, %r : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  %q = ssd.linear %y, %w : (tensor<?x?x128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  %g = ssd.add %q, %v : tensor<?x?x64xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
  %s = ssd.linear %y16, %w16 : (tensor<?x?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x?x64xbf16>
  %c = ssd.cast %s : tensor<?x?x64xbf16> to tensor<?x?x64xf32>
  %k = ssd.add %c, %r : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %h, %p, %g, %k : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>
}
