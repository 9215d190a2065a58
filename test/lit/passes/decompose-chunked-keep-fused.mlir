// ssd-decompose-chunked{keep-fused}: a chunked sma the fused CUDA kernel can
// run stays whole (ssd-fuse then makes it one `ssd.ssm` launch); any other
// shape is decomposed into the four chunk ops as without the option.
// The shape rules are the kernel's own (ssdc/ssd_fused_launch.h): bf16 q/k/v
// take the tensor-core path (Q 64 or 128, N 64 or 128, P 32 or a multiple of
// 64); f32 the SIMT path (P <= 64 or a multiple of 64, N <= 256, any Q).
// RUN: ssdc-opt %s -split-input-file --ssd-decompose-chunked=keep-fused=true | FileCheck %s
// RUN: ssdc-opt %s -split-input-file --ssd-decompose-chunked | FileCheck %s --check-prefix=STAGED

// mamba2 shapes in bf16 (P = 64, N = 128, Q = 64): kept.
// CHECK-LABEL: func.func @bf16_supported
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<chunked, 64>
// CHECK-NOT: ssd.chunk_
// STAGED-LABEL: func.func @bf16_supported
// STAGED: ssd.chunk_cumsum
// STAGED-NOT: ssd.sma
func.func @bf16_supported(%q: tensor<1x?x1x128xbf16>, %k: tensor<1x?x1x128xbf16>, %v: tensor<1x?x8x64xbf16>,
                          %a: tensor<1x?x8xf32>) -> tensor<1x?x8x64xbf16> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 64>}
      : (tensor<1x?x1x128xbf16>, tensor<1x?x1x128xbf16>, tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>)
        -> (tensor<1x?x8x64xbf16>, tensor<1x8x64x128xf32>)
  return %y : tensor<1x?x8x64xbf16>
}

// -----

// bf16 with Q = 256: the tensor-core path takes Q 64 or 128 only: decomposed.
// CHECK-LABEL: func.func @bf16_q256
// CHECK: ssd.chunk_cumsum
// CHECK-NOT: ssd.sma
func.func @bf16_q256(%q: tensor<1x?x1x128xbf16>, %k: tensor<1x?x1x128xbf16>, %v: tensor<1x?x8x64xbf16>,
                     %a: tensor<1x?x8xf32>) -> tensor<1x?x8x64xbf16> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 256>}
      : (tensor<1x?x1x128xbf16>, tensor<1x?x1x128xbf16>, tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>)
        -> (tensor<1x?x8x64xbf16>, tensor<1x8x64x128xf32>)
  return %y : tensor<1x?x8x64xbf16>
}

// -----

// f32, P = 16, N = 16 (the HF fixtures): the SIMT path runs it: kept.
// CHECK-LABEL: func.func @f32_small
// CHECK: ssd.sma {{.*}}schedule = #ssd.schedule<chunked, 16>
// CHECK-NOT: ssd.chunk_
func.func @f32_small(%q: tensor<?x?x2x16xf32>, %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x8x16xf32>,
                     %a: tensor<?x?x8xf32>) -> tensor<?x?x8x16xf32> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 16>}
      : (tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x8x16xf32>, tensor<?x?x8xf32>)
        -> (tensor<?x?x8x16xf32>, tensor<?x8x16x16xf32>)
  return %y : tensor<?x?x8x16xf32>
}

// -----

// f32 with a head dim of 96 (neither <= 64 nor a multiple of 64): decomposed.
// CHECK-LABEL: func.func @f32_p96
// CHECK: ssd.chunk_state
// CHECK-NOT: ssd.sma
func.func @f32_p96(%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, %v: tensor<?x?x4x96xf32>,
                   %a: tensor<?x?x4xf32>) -> tensor<?x?x4x96xf32> {
  %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>, schedule = #ssd.schedule<chunked, 64>}
      : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x96xf32>, tensor<?x?x4xf32>)
        -> (tensor<?x?x4x96xf32>, tensor<?x4x96x16xf32>)
  return %y : tensor<?x?x4x96xf32>
}
