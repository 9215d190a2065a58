// Every verifier rule of the chunked decomposition ops, one case each.
// RUN: ssdc-opt %s -split-input-file -verify-diagnostics

func.func @cumsum_chunk(%dt: tensor<?x?x4xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got 0}}
  %d, %c = ssd.chunk_cumsum %dt {chunk_size = 0 : i64} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  return
}

// -----

func.func @cumsum_negative_chunk(%dt: tensor<?x?x4xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got -64}}
  %d, %c = ssd.chunk_cumsum %dt {chunk_size = -64 : i64} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  return
}

// -----

func.func @cumsum_heads(%dt: tensor<?x?x4xf32>, %A: tensor<8xf32>) {
  // expected-error @+1 {{operand 'A' dimension 0 (h) is 8, but operand 'dt' dimension 2 says h = 4}}
  %d, %c = ssd.chunk_cumsum %dt A(%A) {chunk_size = 64 : i64} : (tensor<?x?x4xf32>, tensor<8xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  return
}

// -----

func.func @cumsum_limit(%dt: tensor<?x?x4xf32>) {
  // expected-error @+1 {{dt_limit must satisfy 0 <= min <= max, got [-1.000000e+00, 1.000000e+00]}}
  %d, %c = ssd.chunk_cumsum %dt {chunk_size = 64 : i64, dt_limit = array<f64: -1.0, 1.0>} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  return
}

// -----

func.func @cumsum_bf16_out(%dt: tensor<?x?x4xbf16>) {
  // expected-error @+1 {{result #1 must be tensor of 32-bit float values, but got 'tensor<?x?x4xbf16>'}}
  %d, %c = ssd.chunk_cumsum %dt {chunk_size = 64 : i64} : (tensor<?x?x4xbf16>) -> (tensor<?x?x4xf32>, tensor<?x?x4xbf16>)
  return
}

// -----

func.func @state_chunks(%k: tensor<2x130x1x16xf32>, %v: tensor<2x130x4x32xf32>, %cum: tensor<2x130x4xf32>) {
  // expected-error @+1 {{result 'states' dimension 1 (c) is 2, but ceil(l / chunk_size) says c = 3}}
  %st = ssd.chunk_state %k, %v, %cum {chunk_size = 64 : i64}
      : (tensor<2x130x1x16xf32>, tensor<2x130x4x32xf32>, tensor<2x130x4xf32>) -> tensor<2x2x4x32x16xf32>
  return
}

// -----

func.func @state_groups(%k: tensor<?x?x3x16xf32>, %v: tensor<?x?x4x32xf32>, %cum: tensor<?x?x4xf32>) {
  // expected-error @+1 {{h = 4 (from operand 'v' dimension 2) must be divisible by g = 3 (from operand 'k' dimension 2)}}
  %st = ssd.chunk_state %k, %v, %cum {chunk_size = 64 : i64}
      : (tensor<?x?x3x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x32x16xf32>
  return
}

// -----

func.func @state_chunk_size(%k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>, %cum: tensor<?x?x4xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got 0}}
  %st = ssd.chunk_state %k, %v, %cum {chunk_size = 0 : i64}
      : (tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x32x16xf32>
  return
}

// -----

func.func @pass_chunks(%st: tensor<2x4x4x32x16xf32>, %cum: tensor<2x130x4xf32>) {
  // expected-error @+1 {{operand 'states' dimension 1 (c) is 4, but ceil(l / chunk_size) says c = 3}}
  %prev, %final = ssd.state_pass %st, %cum {chunk_size = 64 : i64}
      : (tensor<2x4x4x32x16xf32>, tensor<2x130x4xf32>) -> (tensor<2x4x4x32x16xf32>, tensor<2x4x32x16xf32>)
  return
}

// -----

func.func @pass_init(%st: tensor<?x?x4x32x16xf32>, %cum: tensor<?x?x4xf32>, %s0: tensor<?x4x16x32xf32>) {
  // expected-error @+1 {{operand 'init' dimension 2 (p) is 16, but operand 'states' dimension 3 says p = 32}}
  %prev, %final = ssd.state_pass %st, %cum init(%s0) {chunk_size = 64 : i64}
      : (tensor<?x?x4x32x16xf32>, tensor<?x?x4xf32>, tensor<?x4x16x32xf32>) -> (tensor<?x?x4x32x16xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @pass_chunk_size(%st: tensor<?x?x4x32x16xf32>, %cum: tensor<?x?x4xf32>) {
  // expected-error @+1 {{chunk_size must be positive, got 0}}
  %prev, %final = ssd.state_pass %st, %cum {chunk_size = 0 : i64}
      : (tensor<?x?x4x32x16xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x4x32x16xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @output_skip_half(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>,
                            %cum: tensor<?x?x4xf32>, %prev: tensor<?x?x4x32x16xf32>, %x: tensor<?x?x4x32xf32>) {
  // The custom syntax always takes both; the generic form can hold one.
  // expected-error @+1 {{needs both skip_x and D or neither}}
  %y = "ssd.chunk_output"(%q, %k, %v, %cum, %prev, %x) <{chunk_size = 64 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>}>
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<?x?x4x32x16xf32>, tensor<?x?x4x32xf32>)
        -> tensor<?x?x4x32xf32>
  return
}

// -----

func.func @output_d(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>,
                    %cum: tensor<?x?x4xf32>, %prev: tensor<?x?x4x32x16xf32>, %x: tensor<?x?x4x32xf32>, %D: tensor<5xf32>) {
  // expected-error @+1 {{operand 'D' dimension 0 (h) is 5, but operand 'v' dimension 2 says h = 4}}
  %y = ssd.chunk_output %q, %k, %v, %cum, %prev skip(%x, %D) {chunk_size = 64 : i64}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<?x?x4x32x16xf32>, tensor<?x?x4x32xf32>, tensor<5xf32>)
        -> tensor<?x?x4x32xf32>
  return
}

// -----

func.func @output_chunks(%q: tensor<1x64x1x16xf32>, %k: tensor<1x64x1x16xf32>, %v: tensor<1x64x4x32xf32>,
                         %cum: tensor<1x64x4xf32>, %prev: tensor<1x2x4x32x16xf32>) {
  // expected-error @+1 {{operand 'prev_states' dimension 1 (c) is 2, but ceil(l / chunk_size) says c = 1}}
  %y = ssd.chunk_output %q, %k, %v, %cum, %prev {chunk_size = 64 : i64}
      : (tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>, tensor<1x64x4x32xf32>, tensor<1x64x4xf32>, tensor<1x2x4x32x16xf32>)
        -> tensor<1x64x4x32xf32>
  return
}

// -----

func.func @output_groups(%q: tensor<?x?x3x16xf32>, %k: tensor<?x?x3x16xf32>, %v: tensor<?x?x4x32xf32>,
                         %cum: tensor<?x?x4xf32>, %prev: tensor<?x?x4x32x16xf32>) {
  // expected-error @+1 {{h = 4 (from operand 'v' dimension 2) must be divisible by g = 3 (from operand 'q' dimension 2)}}
  %y = ssd.chunk_output %q, %k, %v, %cum, %prev {chunk_size = 64 : i64}
      : (tensor<?x?x3x16xf32>, tensor<?x?x3x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<?x?x4x32x16xf32>)
        -> tensor<?x?x4x32xf32>
  return
}

// -----

func.func @output_dtype(%q: tensor<?x?x1x16xbf16>, %k: tensor<?x?x1x16xbf16>, %v: tensor<?x?x4x32xbf16>,
                        %cum: tensor<?x?x4xf32>, %prev: tensor<?x?x4x32x16xf32>) {
  // expected-error @+1 {{result 'y' has element type 'f32', expected 'bf16' as operand 'v'}}
  %y = ssd.chunk_output %q, %k, %v, %cum, %prev {chunk_size = 64 : i64}
      : (tensor<?x?x1x16xbf16>, tensor<?x?x1x16xbf16>, tensor<?x?x4x32xbf16>, tensor<?x?x4xf32>, tensor<?x?x4x32x16xf32>)
        -> tensor<?x?x4x32xf32>
  return
}
