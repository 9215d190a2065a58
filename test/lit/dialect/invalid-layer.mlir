// Every verifier rule of the level-1 layer ops, one case each.
// RUN: ssdc-opt %s -split-input-file -verify-diagnostics

func.func @weight_dynamic() {
  // expected-error @+1 {{weight 'w' must have a static shape, got 'tensor<?x4xf32>'}}
  %w = ssd.weight "w" : tensor<?x4xf32>
  return
}

// -----

func.func @weight_unnamed() {
  // expected-error @+1 {{needs a non-empty weight name}}
  %w = ssd.weight "" : tensor<4xf32>
  return
}

// -----

func.func @weight_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{result #0 must be tensor of 32-bit float or bfloat16 type or 16-bit float values}}
  %w = ssd.weight "w" : tensor<4xi32>
  return
}

// -----

func.func @embedding_width(%t: tensor<256x64xf32>, %ids: tensor<?x?xi64>) {
  // expected-error @+1 {{result dimension 2 (d) is 32, but operand 'table' dimension 1 says d = 64}}
  %h = ssd.embedding %t[%ids] : (tensor<256x64xf32>, tensor<?x?xi64>) -> tensor<?x?x32xf32>
  return
}

// -----

func.func @embedding_float_ids(%t: tensor<256x64xf32>, %ids: tensor<?x?xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %h = ssd.embedding %t[%ids] : (tensor<256x64xf32>, tensor<?x?xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @embedding_dtype(%t: tensor<256x64xf32>, %ids: tensor<?x?xi64>) {
  // expected-error @+1 {{result has element type 'bf16', expected 'f32' as operand 'table'}}
  %h = ssd.embedding %t[%ids] : (tensor<256x64xf32>, tensor<?x?xi64>) -> tensor<?x?x64xbf16>
  return
}

// -----

func.func @embedding_ids_rank(%t: tensor<256x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{operand 'ids' must have rank 2 [b, l], got rank 1}}
  %h = ssd.embedding %t[%ids] : (tensor<256x64xf32>, tensor<?xi64>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @rmsnorm_unranked(%x: tensor<*xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{operand 'x' must be a ranked tensor of rank >= 1}}
  %y = ssd.rmsnorm %x, %w : (tensor<*xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @rmsnorm_weight(%x: tensor<?x8xf32>, %w: tensor<16xf32>) {
  // expected-error @+1 {{operand 'weight' dimension 0 (d) is 16, but operand 'x' dimension 1 says d = 8}}
  %y = ssd.rmsnorm %x, %w : (tensor<?x8xf32>, tensor<16xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @rmsnorm_eps(%x: tensor<?x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{eps must be positive, got 0}}
  %y = ssd.rmsnorm %x, %w {eps = 0.0 : f64} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @rmsnorm_order_without_gate(%x: tensor<?x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{norm_before_gate needs a gate operand}}
  %y = ssd.rmsnorm %x, %w {norm_before_gate} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @rmsnorm_group(%x: tensor<?x8xf32>, %w: tensor<8xf32>, %z: tensor<?x8xf32>) {
  // expected-error @+1 {{group_size 3 does not divide the normalised dimension 8}}
  %y = ssd.rmsnorm %x, %w gate %z {group_size = 3 : i64} : (tensor<?x8xf32>, tensor<8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @rmsnorm_group_zero(%x: tensor<?x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{group_size must be positive, got 0}}
  %y = ssd.rmsnorm %x, %w {group_size = 0 : i64} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @rmsnorm_gate_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %z: tensor<3x8xf32>) {
  // expected-error @+1 {{operand 'gate' dimension 0 (d0) is 3, but operand 'x' dimension 0 says d0 = 2}}
  %y = ssd.rmsnorm %x, %w gate %z : (tensor<2x8xf32>, tensor<8xf32>, tensor<3x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @linear_inner(%x: tensor<?x?x64xf32>, %w: tensor<256x32xf32>) {
  // expected-error @+1 {{operand 'weight' dimension 1 (k) is 32, but operand 'x' dimension 2 says k = 64}}
  %y = ssd.linear %x, %w : (tensor<?x?x64xf32>, tensor<256x32xf32>) -> tensor<?x?x256xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<?x64xf32>, %w: tensor<256x64xf32>, %b: tensor<128xf32>) {
  // expected-error @+1 {{operand 'bias' dimension 0 (n) is 128, but operand 'weight' dimension 0 says n = 256}}
  %y = ssd.linear %x, %w bias %b : (tensor<?x64xf32>, tensor<256x64xf32>, tensor<128xf32>) -> tensor<?x256xf32>
  return
}

// -----

func.func @linear_scalar(%x: tensor<f32>, %w: tensor<4x1xf32>) {
  // expected-error @+1 {{operand 'x' must be a ranked tensor of rank >= 1}}
  %y = ssd.linear %x, %w : (tensor<f32>, tensor<4x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<?x?x96xf32>, %w: tensor<96x4xf32>, %s: tensor<?x96x3xf32>) {
  // expected-error @+1 {{operand 'state' dimension 2 (k) is 3, but operand 'weight' dimension 1 says k = 4}}
  %y, %s1 = ssd.conv1d %x, %w state %s : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<?x96x3xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  return
}

// -----

func.func @conv_bf16_state(%x: tensor<?x?x96xbf16>, %w: tensor<96x4xbf16>, %s: tensor<?x96x4xbf16>) {
  // expected-error @+1 {{operand #2 must be tensor of 32-bit float values, but got 'tensor<?x96x4xbf16>'}}
  %y, %s1 = ssd.conv1d %x, %w state %s : (tensor<?x?x96xbf16>, tensor<96x4xbf16>, tensor<?x96x4xbf16>) -> (tensor<?x?x96xbf16>, tensor<?x96x4xf32>)
  return
}

// -----

func.func @conv_dtype(%x: tensor<?x?x96xbf16>, %w: tensor<96x4xbf16>) {
  // expected-error @+1 {{result 'y' has element type 'f32', expected 'bf16' as operand 'x'}}
  %y, %s1 = ssd.conv1d %x, %w : (tensor<?x?x96xbf16>, tensor<96x4xbf16>) -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
  return
}

// -----

func.func @split_sum(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{sizes add up to 9 but the input's last dimension is 10}}
  %a, %b = ssd.split %x [4, 5] : tensor<?x10xf32> -> tensor<?x4xf32>, tensor<?x5xf32>
  return
}

// -----

func.func @split_count(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{has 3 sizes but 2 results}}
  %a, %b = ssd.split %x [4, 5, 1] : tensor<?x10xf32> -> tensor<?x4xf32>, tensor<?x5xf32>
  return
}

// -----

func.func @split_nonpositive(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{size #1 must be positive, got 0}}
  %a, %b = ssd.split %x [10, 0] : tensor<?x10xf32> -> tensor<?x10xf32>, tensor<?x0xf32>
  return
}

// -----

func.func @split_result(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{result #1 has type 'tensor<?x4xf32>', expected the input's leading dimensions and 6 last}}
  %a, %b = ssd.split %x [4, 6] : tensor<?x10xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @split_dtype(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{result #0 has element type 'f16', expected 'f32' as the input}}
  %a, %b = ssd.split %x [4, 6] : tensor<?x10xf32> -> tensor<?x4xf16>, tensor<?x6xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<?x?x128xf32>) {
  // expected-error @+1 {{static dimensions hold 128 elements in the input but 96 in the result}}
  %y = ssd.reshape %x : tensor<?x?x128xf32> -> tensor<?x?x3x32xf32>
  return
}

// -----

func.func @reshape_prefix(%x: tensor<?x?x128xf32>) {
  // expected-error @+1 {{input has 2 leading dynamic dimensions but the result has 1}}
  %y = ssd.reshape %x : tensor<?x?x128xf32> -> tensor<?x128xf32>
  return
}

// -----

func.func @reshape_inner_dynamic(%x: tensor<4x?xf32>) {
  // expected-error @+1 {{the input may have dynamic dimensions only as a leading prefix, got 'tensor<4x?xf32>'}}
  %y = ssd.reshape %x : tensor<4x?xf32> -> tensor<4x?xf32>
  return
}

// -----

func.func @reshape_dtype(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{the result has element type 'bf16', expected 'f32' as the input}}
  %y = ssd.reshape %x : tensor<?x8xf32> -> tensor<?x2x4xbf16>
  return
}

// -----

func.func @clamp_order(%x: tensor<?xf32>) {
  // expected-error @+1 {{needs min <= max, got [2.000000e+00, 1.000000e+00]}}
  %y = ssd.clamp %x {min = 2.0 : f64, max = 1.0 : f64} : tensor<?xf32>
  return
}

// -----

func.func @add_broadcast(%x: tensor<?x4xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{operands 'tensor<?x4xf32>' and 'tensor<3xf32>' do not broadcast}}
  %z = ssd.add %x, %y : tensor<?x4xf32>, tensor<3xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @mul_result(%x: tensor<?x4xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{result 'tensor<?x8xf32>' does not match the broadcast shape of 'tensor<?x4xf32>' and 'tensor<4xf32>'}}
  %z = ssd.mul %x, %y : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @mul_dtype(%x: tensor<?x4xf32>, %y: tensor<4xbf16>) {
  // expected-error @+1 {{operand 'rhs' has element type 'bf16', expected 'f32' as operand 'lhs'}}
  %z = ssd.mul %x, %y : tensor<?x4xf32>, tensor<4xbf16> -> tensor<?x4xf32>
  return
}

// -----

func.func @silu_types(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %z = "ssd.silu"(%x) : (tensor<?x4xf32>) -> tensor<?x4xf16>
  return
}

// -----

func.func @cast_shape(%h: tensor<?x64xbf16>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %r = ssd.cast %h : tensor<?x64xbf16> to tensor<?x32xf32>
  return
}

// -----

func.func @linear_residual_type(%y: tensor<?x?x128xbf16>, %w: tensor<64x128xbf16>, %r: tensor<?x?x64xbf16>) -> tensor<?x?x64xf32> {
  // expected-error @+1 {{operand 'residual' must have the result's type 'tensor<?x?x64xf32>', got 'tensor<?x?x64xbf16>'}}
  %h = ssd.linear %y, %w residual %r : (tensor<?x?x128xbf16>, tensor<64x128xbf16>, tensor<?x?x64xbf16>) -> tensor<?x?x64xf32>
  return %h : tensor<?x?x64xf32>
}
