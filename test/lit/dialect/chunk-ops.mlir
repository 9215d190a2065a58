// Level 4: the chunked block decomposition, written out as the chunked
// schedule of ssd.sma lowers to it (l = 130 tokens in chunks of 64 → 3 chunks).
// RUN: ssdc-opt %s | ssdc-opt | FileCheck %s
// RUN: ssdc-opt %s --mlir-print-op-generic | ssdc-opt | FileCheck %s

// CHECK-LABEL: func.func @chunked
func.func @chunked(%dt: tensor<2x130x4xbf16>, %A: tensor<4xf32>, %bias: tensor<4xf32>,
                   %q: tensor<2x130x1x16xbf16>, %k: tensor<2x130x1x16xbf16>,
                   %x: tensor<2x130x4x32xbf16>, %v: tensor<2x130x4x32xbf16>, %D: tensor<4xf32>,
                   %s0: tensor<2x4x32x16xf32>) -> (tensor<2x130x4x32xbf16>, tensor<2x4x32x16xf32>) {
  // CHECK: %[[DT:.*]], %[[CUM:.*]] = ssd.chunk_cumsum %{{[a-z0-9_]+}} A(%{{[a-z0-9_]+}}) dt_bias(%{{[a-z0-9_]+}}) {chunk_size = 64 : i64, dt_limit = array<f64: 1.000000e-03, 1.000000e+01>, dt_softplus} :
  %dt1, %cum = ssd.chunk_cumsum %dt A(%A) dt_bias(%bias) {chunk_size = 64 : i64, dt_softplus, dt_limit = array<f64: 0.001, 10.0>}
      : (tensor<2x130x4xbf16>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x130x4xf32>, tensor<2x130x4xf32>)
  // CHECK: %[[ST:.*]] = ssd.chunk_state %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[CUM]] {chunk_size = 64 : i64} : {{.*}} -> tensor<2x3x4x32x16xf32>
  %st = ssd.chunk_state %k, %v, %cum {chunk_size = 64 : i64}
      : (tensor<2x130x1x16xbf16>, tensor<2x130x4x32xbf16>, tensor<2x130x4xf32>) -> tensor<2x3x4x32x16xf32>
  // CHECK: %[[PREV:.*]], %[[FINAL:.*]] = ssd.state_pass %[[ST]], %[[CUM]] init(%{{[a-z0-9_]+}}) {chunk_size = 64 : i64, strategy = #ssd.state_pass<log_depth>} :
  %prev, %final = ssd.state_pass %st, %cum init(%s0) {chunk_size = 64 : i64, strategy = #ssd.state_pass<log_depth>}
      : (tensor<2x3x4x32x16xf32>, tensor<2x130x4xf32>, tensor<2x4x32x16xf32>) -> (tensor<2x3x4x32x16xf32>, tensor<2x4x32x16xf32>)
  // CHECK: ssd.chunk_output %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[CUM]], %[[PREV]] skip(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) {chunk_size = 64 : i64} :
  %y = ssd.chunk_output %q, %k, %v, %cum, %prev skip(%x, %D) {chunk_size = 64 : i64}
      : (tensor<2x130x1x16xbf16>, tensor<2x130x1x16xbf16>, tensor<2x130x4x32xbf16>, tensor<2x130x4xf32>,
         tensor<2x3x4x32x16xf32>, tensor<2x130x4x32xbf16>, tensor<4xf32>) -> tensor<2x130x4x32xbf16>
  return %y, %final : tensor<2x130x4x32xbf16>, tensor<2x4x32x16xf32>
}

// The default strategy is sequential and is not printed; without A the
// input of chunk_cumsum is the log decay itself.
// CHECK-LABEL: func.func @defaults
func.func @defaults(%a: tensor<?x?x4xf32>, %st: tensor<?x?x4x32x16xf32>) -> tensor<?x4x32x16xf32> {
  // CHECK: ssd.chunk_cumsum %{{[a-z0-9_]+}} {chunk_size = 256 : i64} :
  %a1, %cum = ssd.chunk_cumsum %a {chunk_size = 256 : i64} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  // CHECK: ssd.state_pass %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {chunk_size = 256 : i64} :
  %prev, %final = ssd.state_pass %st, %cum {chunk_size = 256 : i64}
      : (tensor<?x?x4x32x16xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x4x32x16xf32>, tensor<?x4x32x16xf32>)
  return %final : tensor<?x4x32x16xf32>
}
