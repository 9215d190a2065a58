// Every verifier rule of ssd.ssm, ssd.sma and ssd.attention, one case each.
// RUN: ssdc-opt %s -split-input-file -verify-diagnostics

func.func @ssm_groups(%x: tensor<?x?x6x16xf32>, %dt: tensor<?x?x6xf32>, %A: tensor<6xf32>,
                      %B: tensor<?x?x4x32xf32>, %C: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{h = 6 (from operand 'x' dimension 2) must be divisible by g = 4 (from operand 'B' dimension 2)}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x6x16xf32>, tensor<?x?x6xf32>, tensor<6xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4x32xf32>)
        -> (tensor<?x?x6x16xf32>, tensor<?x6x16x32xf32>)
  return
}

// -----

func.func @ssm_dt_heads(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<4xf32>,
                        %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{operand 'dt' dimension 2 (h) is 8, but operand 'x' dimension 2 says h = 4}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xf32>, tensor<?x?x8xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_length(%x: tensor<2x10x4x16xf32>, %dt: tensor<2x10x4xf32>, %A: tensor<4xf32>,
                      %B: tensor<2x10x1x32xf32>, %C: tensor<2x9x1x32xf32>) {
  // expected-error @+1 {{operand 'C' dimension 1 (l) is 9, but operand 'x' dimension 1 says l = 10}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<2x10x4x16xf32>, tensor<2x10x4xf32>, tensor<4xf32>, tensor<2x10x1x32xf32>, tensor<2x9x1x32xf32>)
        -> (tensor<2x10x4x16xf32>, tensor<2x4x16x32xf32>)
  return
}

// -----

func.func @ssm_state_n(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                       %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>, %s0: tensor<?x4x16x64xf32>) {
  // expected-error @+1 {{operand 'init' dimension 3 (n) is 64, but operand 'B' dimension 3 says n = 32}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C init(%s0)
      : (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>, tensor<?x4x16x64xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_final_state_p(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                             %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{result 'final_state' dimension 2 (p) is 32, but operand 'x' dimension 3 says p = 16}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x32x32xf32>)
  return
}

// -----

func.func @ssm_d_per_channel(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                             %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>, %D: tensor<4x8xf32>) {
  // expected-error @+1 {{operand 'D' dimension 1 (p) is 8, but operand 'x' dimension 3 says p = 16}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D)
      : (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>, tensor<4x8xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_rank(%x: tensor<?x?x64xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                    %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{operand 'x' must have rank 4 [b, l, h, p], got rank 3}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_unranked(%x: tensor<*xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                        %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{operand 'x' must be a ranked tensor, got 'tensor<*xf32>'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<*xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_mixed_dtypes(%x: tensor<?x?x4x16xbf16>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                            %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xbf16>) {
  // expected-error @+1 {{operand 'B' has element type 'f32', expected 'bf16' as operand 'x'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xbf16>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xbf16>)
        -> (tensor<?x?x4x16xbf16>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_c_dtype(%x: tensor<?x?x4x16xbf16>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                       %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xf16>) {
  // expected-error @+1 {{operand 'C' has element type 'f16', expected 'bf16' as operand 'x'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xbf16>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xbf16>, tensor<?x?x1x32xf16>)
        -> (tensor<?x?x4x16xbf16>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_y_dtype(%x: tensor<?x?x4x16xbf16>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                       %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xbf16>) {
  // expected-error @+1 {{result 'y' has element type 'f32', expected 'bf16' as operand 'x'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xbf16>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xbf16>, tensor<?x?x1x32xbf16>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

// The numerics policy keeps A and the state in f32.
func.func @ssm_bf16_A(%x: tensor<?x?x4x16xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xbf16>,
                      %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xbf16>) {
  // expected-error @+1 {{operand #2 must be tensor of 32-bit float values, but got 'tensor<4xbf16>'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xbf16>, tensor<?x?x4xbf16>, tensor<4xbf16>, tensor<?x?x1x32xbf16>, tensor<?x?x1x32xbf16>)
        -> (tensor<?x?x4x16xbf16>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_bf16_state(%x: tensor<?x?x4x16xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>,
                          %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xbf16>) {
  // expected-error @+1 {{result #1 must be tensor of 32-bit float values, but got 'tensor<?x4x16x32xbf16>'}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C
      : (tensor<?x?x4x16xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x32xbf16>, tensor<?x?x1x32xbf16>)
        -> (tensor<?x?x4x16xbf16>, tensor<?x4x16x32xbf16>)
  return
}

// -----

func.func @ssm_dt_limit(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                        %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{dt_limit must satisfy 0 <= min <= max, got [1.000000e-01, 1.000000e-02]}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C {dt_limit = array<f64: 0.1, 0.01>}
      : (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @ssm_dt_limit_size(%x: tensor<?x?x4x16xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>,
                             %B: tensor<?x?x1x32xf32>, %C: tensor<?x?x1x32xf32>) {
  // expected-error @+1 {{dt_limit must hold 2 values [min, max], got 1}}
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C {dt_limit = array<f64: 0.1>}
      : (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>)
        -> (tensor<?x?x4x16xf32>, tensor<?x4x16x32xf32>)
  return
}

// -----

func.func @sma_decay_missing(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{#ssd.mask<decay> needs a decay(...) operand}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<decay>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @sma_causal_with_decay(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>, %a: tensor<?x?x4xf32>) {
  // expected-error @+1 {{#ssd.mask<causal> takes no decay(...) operand}}
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @sma_groups(%q: tensor<?x?x3x16xf32>, %k: tensor<?x?x3x16xf32>, %v: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{h = 4 (from operand 'v' dimension 2) must be divisible by g = 3 (from operand 'q' dimension 2)}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<?x?x3x16xf32>, tensor<?x?x3x16xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @sma_qk(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x8xf32>, %v: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{operand 'k' dimension 3 (n) is 8, but operand 'q' dimension 3 says n = 16}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x8xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @sma_dtypes(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xbf16>, %v: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{operand 'k' has element type 'bf16', expected 'f32' as operand 'q'}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xbf16>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @sma_y_dtype(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>) {
  // expected-error @+1 {{result 'y' has element type 'f16', expected 'f32' as operand 'v'}}
  %y, %s = ssd.sma %q, %k, %v {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>) -> (tensor<?x?x4x32xf16>, tensor<?x4x32x16xf32>)
  return
}

// -----

func.func @attention_recurrent(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{softmax attention has no finite-state recurrence: its schedule must be quadratic, got recurrent}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {schedule = #ssd.schedule<recurrent>}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_chunked(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{its schedule must be quadratic, got chunked}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {schedule = #ssd.schedule<chunked, 64>}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_gqa(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x3x64xf32>, %v: tensor<?x?x3x64xf32>) {
  // expected-error @+1 {{hq = 8 (from operand 'q' dimension 2) must be divisible by hk = 3 (from operand 'k' dimension 2)}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v
      : (tensor<?x?x8x64xf32>, tensor<?x?x3x64xf32>, tensor<?x?x3x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x3x64xf32>, tensor<?x?x3x64xf32>)
  return
}

// -----

func.func @attention_head_dim(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x32xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{operand 'k' dimension 3 (d) is 32, but operand 'q' dimension 3 says d = 64}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x32xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x32xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_cache_length(%q: tensor<1x5x8x64xf32>, %k: tensor<1x5x2x64xf32>, %v: tensor<1x5x2x64xf32>,
                                  %pk: tensor<1x7x2x64xf32>, %pv: tensor<1x7x2x64xf32>) {
  // expected-error @+1 {{the cache length plus l (t) is 12, but result 'keys' dimension 1 says t = 7}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v cache(%pk, %pv)
      : (tensor<1x5x8x64xf32>, tensor<1x5x2x64xf32>, tensor<1x5x2x64xf32>, tensor<1x7x2x64xf32>, tensor<1x7x2x64xf32>)
        -> (tensor<1x5x8x64xf32>, tensor<1x7x2x64xf32>, tensor<1x7x2x64xf32>)
  return
}

// -----

func.func @attention_half_cache(%q: tensor<1x5x8x64xf32>, %k: tensor<1x5x2x64xf32>, %v: tensor<1x5x2x64xf32>,
                                %pk: tensor<1x7x2x64xf32>) {
  // The custom syntax always takes both; the generic form can hold one.
  // expected-error @+1 {{needs both past_k and past_v or neither}}
  %y, %k1, %v1 = "ssd.attention"(%q, %k, %v, %pk) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>}>
      : (tensor<1x5x8x64xf32>, tensor<1x5x2x64xf32>, tensor<1x5x2x64xf32>, tensor<1x7x2x64xf32>)
        -> (tensor<1x5x8x64xf32>, tensor<1x12x2x64xf32>, tensor<1x12x2x64xf32>)
  return
}

// -----

func.func @attention_rotary_odd(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{rotary_dim must be even and >= 0, got 33}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {rotary_dim = 33 : i64}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_rotary_wide(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{rotary_dim 128 exceeds the head dimension 64}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {rotary_dim = 128 : i64}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_theta(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{rope_theta must be positive}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {rope_theta = -1.0 : f64}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}

// -----

func.func @attention_scale(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) {
  // expected-error @+1 {{scale must be positive}}
  %y, %k1, %v1 = ssd.attention %q, %k, %v {scale = 0.0 : f64}
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
  return
}
