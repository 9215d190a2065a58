// Levels 2-3: the structured-matrix core with and without schedules.
// RUN: ssdc-opt %s | ssdc-opt | FileCheck %s
// RUN: ssdc-opt %s --mlir-print-op-generic | ssdc-opt | FileCheck %s

// A Mamba-2 SSD with 8 heads in 2 groups, every optional operand present.
// CHECK-LABEL: func.func @ssm_full
func.func @ssm_full(%x: tensor<?x?x8x16xbf16>, %dt: tensor<?x?x8xbf16>, %A: tensor<8xf32>,
                    %B: tensor<?x?x2x32xbf16>, %C: tensor<?x?x2x32xbf16>, %D: tensor<8xf32>,
                    %bias: tensor<8xf32>, %s0: tensor<?x8x16x32xf32>) -> tensor<?x?x8x16xbf16> {
  // CHECK: %[[Y:.*]], %{{[a-z0-9_]+}} = ssd.ssm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} D(%{{[a-z0-9_]+}}) dt_bias(%{{[a-z0-9_]+}}) init(%{{[a-z0-9_]+}})
  // CHECK-SAME: {dt_limit = array<f64: 0.000000e+00, 0x7FF0000000000000>, dt_softplus, schedule = #ssd.schedule<chunked, 128, "cost-model">}
  // CHECK-SAME: -> (tensor<?x?x8x16xbf16>, tensor<?x8x16x32xf32>)
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias) init(%s0)
      {dt_softplus, dt_limit = array<f64: 0.0, 0x7FF0000000000000>,
       schedule = #ssd.schedule<chunked, 128, "cost-model">}
      : (tensor<?x?x8x16xbf16>, tensor<?x?x8xbf16>, tensor<8xf32>, tensor<?x?x2x32xbf16>,
         tensor<?x?x2x32xbf16>, tensor<8xf32>, tensor<8xf32>, tensor<?x8x16x32xf32>)
        -> (tensor<?x?x8x16xbf16>, tensor<?x8x16x32xf32>)
  return %y : tensor<?x?x8x16xbf16>
}

// Only the required operands; D per head and channel (D_has_hdim) elsewhere.
// CHECK-LABEL: func.func @ssm_minimal
func.func @ssm_minimal(%x: tensor<1x1x4x8xf32>, %dt: tensor<1x1x4xf32>, %A: tensor<4xf32>,
                       %B: tensor<1x1x1x16xf32>, %C: tensor<1x1x1x16xf32>, %D: tensor<4x8xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: ssd.ssm %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {schedule = #ssd.schedule<recurrent>} :
  %y, %s = ssd.ssm %x, %dt, %A, %B, %C {schedule = #ssd.schedule<recurrent>}
      : (tensor<1x1x4x8xf32>, tensor<1x1x4xf32>, tensor<4xf32>, tensor<1x1x1x16xf32>, tensor<1x1x1x16xf32>)
        -> (tensor<1x1x4x8xf32>, tensor<1x4x8x16xf32>)
  // CHECK: ssd.ssm {{.*}} D(%{{[a-z0-9_]+}}) : {{.*}}tensor<4x8xf32>)
  %y2, %s2 = ssd.ssm %x, %dt, %A, %B, %C D(%D)
      : (tensor<1x1x4x8xf32>, tensor<1x1x4xf32>, tensor<4xf32>, tensor<1x1x1x16xf32>, tensor<1x1x1x16xf32>, tensor<4x8xf32>)
        -> (tensor<1x1x4x8xf32>, tensor<1x4x8x16xf32>)
  return %s2 : tensor<1x4x8x16xf32>
}

// CHECK-LABEL: func.func @sma
func.func @sma(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x32xf32>,
               %a: tensor<?x?x4xf32>, %s0: tensor<?x4x32x16xf32>) -> tensor<?x?x4x32xf32> {
  // CHECK: ssd.sma %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} decay(%{{[a-z0-9_]+}}) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<quadratic>} :
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<quadratic>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  // Plain causal linear attention continuing from a state.
  // CHECK: ssd.sma %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} init(%{{[a-z0-9_]+}}) {mask = #ssd.mask<causal>} :
  %y2, %s2 = ssd.sma %q, %k, %y init(%s0) {mask = #ssd.mask<causal>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
        -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y2 : tensor<?x?x4x32xf32>
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<2x5x8x64xf16>, %k: tensor<2x5x2x64xf16>, %v: tensor<2x5x2x64xf16>,
                     %pk: tensor<2x7x2x64xf16>, %pv: tensor<2x7x2x64xf16>) -> tensor<2x5x8x64xf16> {
  // CHECK: ssd.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {rotary_dim = 32 : i64, schedule = #ssd.schedule<quadratic>} : (tensor<2x5x8x64xf16>, tensor<2x5x2x64xf16>, tensor<2x5x2x64xf16>) -> (tensor<2x5x8x64xf16>, tensor<2x5x2x64xf16>, tensor<2x5x2x64xf16>)
  %y, %k1, %v1 = ssd.attention %q, %k, %v {rotary_dim = 32 : i64, schedule = #ssd.schedule<quadratic>}
      : (tensor<2x5x8x64xf16>, tensor<2x5x2x64xf16>, tensor<2x5x2x64xf16>)
        -> (tensor<2x5x8x64xf16>, tensor<2x5x2x64xf16>, tensor<2x5x2x64xf16>)
  // With a 7-position cache the returned keys and values hold 12 positions.
  // CHECK: ssd.attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} cache(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) {rope_theta = 5.000000e+05 : f64, scale = 1.250000e-01 : f64} : {{.*}} -> (tensor<2x5x8x64xf16>, tensor<2x12x2x64xf16>, tensor<2x12x2x64xf16>)
  %y2, %k2, %v2 = ssd.attention %q, %k, %v cache(%pk, %pv) {rope_theta = 5.0e5 : f64, scale = 0.125 : f64}
      : (tensor<2x5x8x64xf16>, tensor<2x5x2x64xf16>, tensor<2x5x2x64xf16>, tensor<2x7x2x64xf16>, tensor<2x7x2x64xf16>)
        -> (tensor<2x5x8x64xf16>, tensor<2x12x2x64xf16>, tensor<2x12x2x64xf16>)
  return %y2 : tensor<2x5x8x64xf16>
}
