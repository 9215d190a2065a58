// A tiny Mamba-2 (byte vocabulary, d_model 64,
// 1 layer, 4 heads of 32, state 16, 1 group) as level-1 model IR, written by
// hand, as an example of level-1 model IR; the frontend generates this kind
// of IR from a config.json (ssdc compile --emit model-ir).
//
// Shapes: d_inner = 128, conv_dim = d_inner + 2·G·N = 160,
// in_proj rows = 2·d_inner + 2·G·N + H = 292 in the order [z | x | B | C | dt].
// Conv weights are [conv_dim, K]: the loader drops the checkpoint's middle 1.
module attributes {ssd.model = "demo"} {
  // Prompt of any length: logits and the states a decode continues from.
  func.func @prefill(%ids: tensor<?x?xi64>)
      -> (tensor<?x?x256xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>) {
    %emb = ssd.weight "backbone.embeddings.weight" : tensor<256x64xf32>
    %h = ssd.embedding %emb[%ids] : (tensor<256x64xf32>, tensor<?x?xi64>) -> tensor<?x?x64xf32>
    %y, %conv, %ssm = func.call @layer0(%h) : (tensor<?x?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>)
    %logits = func.call @head(%y) : (tensor<?x?x64xf32>) -> tensor<?x?x256xf32>
    return %logits, %conv, %ssm : tensor<?x?x256xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>
  }

  // One token per sequence, continuing from the states.
  func.func @decode(%ids: tensor<?x1xi64>, %conv0: tensor<?x160x4xf32>, %ssm0: tensor<?x4x32x16xf32>)
      -> (tensor<?x1x256xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>) {
    %emb = ssd.weight "backbone.embeddings.weight" : tensor<256x64xf32>
    %h = ssd.embedding %emb[%ids] : (tensor<256x64xf32>, tensor<?x1xi64>) -> tensor<?x1x64xf32>
    %nw = ssd.weight "backbone.layers.0.norm.weight" : tensor<64xf32>
    %hn = ssd.rmsnorm %h, %nw {eps = 1.0e-05 : f64} : (tensor<?x1x64xf32>, tensor<64xf32>) -> tensor<?x1x64xf32>
    %win = ssd.weight "backbone.layers.0.mixer.in_proj.weight" : tensor<292x64xf32>
    %zxbcdt = ssd.linear %hn, %win : (tensor<?x1x64xf32>, tensor<292x64xf32>) -> tensor<?x1x292xf32>
    %z, %xbc, %dt = ssd.split %zxbcdt [128, 160, 4] : tensor<?x1x292xf32> -> tensor<?x1x128xf32>, tensor<?x1x160xf32>, tensor<?x1x4xf32>
    %cw = ssd.weight "backbone.layers.0.mixer.conv1d.weight" : tensor<160x4xf32>
    %cb = ssd.weight "backbone.layers.0.mixer.conv1d.bias" : tensor<160xf32>
    %xbc1, %conv1 = ssd.conv1d %xbc, %cw bias %cb state %conv0 {silu} : (tensor<?x1x160xf32>, tensor<160x4xf32>, tensor<160xf32>, tensor<?x160x4xf32>) -> (tensor<?x1x160xf32>, tensor<?x160x4xf32>)
    %x, %B, %C = ssd.split %xbc1 [128, 16, 16] : tensor<?x1x160xf32> -> tensor<?x1x128xf32>, tensor<?x1x16xf32>, tensor<?x1x16xf32>
    %x4 = ssd.reshape %x : tensor<?x1x128xf32> -> tensor<?x1x4x32xf32>
    %B4 = ssd.reshape %B : tensor<?x1x16xf32> -> tensor<?x1x1x16xf32>
    %C4 = ssd.reshape %C : tensor<?x1x16xf32> -> tensor<?x1x1x16xf32>
    %alog = ssd.weight "backbone.layers.0.mixer.A_log" : tensor<4xf32>
    %ea = ssd.exp %alog : tensor<4xf32>
    %A = ssd.neg %ea : tensor<4xf32>
    %D = ssd.weight "backbone.layers.0.mixer.D" : tensor<4xf32>
    %dtb = ssd.weight "backbone.layers.0.mixer.dt_bias" : tensor<4xf32>
    %y4, %ssm1 = ssd.ssm %x4, %dt, %A, %B4, %C4 D(%D) dt_bias(%dtb) init(%ssm0)
        {dt_softplus, dt_limit = array<f64: 0.0, 0x7FF0000000000000>}
        : (tensor<?x1x4x32xf32>, tensor<?x1x4xf32>, tensor<4xf32>, tensor<?x1x1x16xf32>, tensor<?x1x1x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?x4x32x16xf32>)
          -> (tensor<?x1x4x32xf32>, tensor<?x4x32x16xf32>)
    %y = ssd.reshape %y4 : tensor<?x1x4x32xf32> -> tensor<?x1x128xf32>
    %gw = ssd.weight "backbone.layers.0.mixer.norm.weight" : tensor<128xf32>
    %yn = ssd.rmsnorm %y, %gw gate %z {eps = 1.0e-05 : f64, group_size = 128 : i64} : (tensor<?x1x128xf32>, tensor<128xf32>, tensor<?x1x128xf32>) -> tensor<?x1x128xf32>
    %wo = ssd.weight "backbone.layers.0.mixer.out_proj.weight" : tensor<64x128xf32>
    %o = ssd.linear %yn, %wo : (tensor<?x1x128xf32>, tensor<64x128xf32>) -> tensor<?x1x64xf32>
    %r = ssd.add %o, %h : tensor<?x1x64xf32>, tensor<?x1x64xf32> -> tensor<?x1x64xf32>
    %fw = ssd.weight "backbone.norm_f.weight" : tensor<64xf32>
    %hf = ssd.rmsnorm %r, %fw {eps = 1.0e-05 : f64} : (tensor<?x1x64xf32>, tensor<64xf32>) -> tensor<?x1x64xf32>
    %logits = ssd.linear %hf, %emb : (tensor<?x1x64xf32>, tensor<256x64xf32>) -> tensor<?x1x256xf32>
    return %logits, %conv1, %ssm1 : tensor<?x1x256xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>
  }

  // Mamba-2 block 0 over a whole prompt: pre-norm, mixer, residual.
  func.func private @layer0(%h: tensor<?x?x64xf32>)
      -> (tensor<?x?x64xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>) {
    %nw = ssd.weight "backbone.layers.0.norm.weight" : tensor<64xf32>
    %hn = ssd.rmsnorm %h, %nw {eps = 1.0e-05 : f64} : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
    %win = ssd.weight "backbone.layers.0.mixer.in_proj.weight" : tensor<292x64xf32>
    %zxbcdt = ssd.linear %hn, %win : (tensor<?x?x64xf32>, tensor<292x64xf32>) -> tensor<?x?x292xf32>
    %z, %xbc, %dt = ssd.split %zxbcdt [128, 160, 4] : tensor<?x?x292xf32> -> tensor<?x?x128xf32>, tensor<?x?x160xf32>, tensor<?x?x4xf32>
    %cw = ssd.weight "backbone.layers.0.mixer.conv1d.weight" : tensor<160x4xf32>
    %cb = ssd.weight "backbone.layers.0.mixer.conv1d.bias" : tensor<160xf32>
    %xbc1, %conv = ssd.conv1d %xbc, %cw bias %cb {silu} : (tensor<?x?x160xf32>, tensor<160x4xf32>, tensor<160xf32>) -> (tensor<?x?x160xf32>, tensor<?x160x4xf32>)
    %x, %B, %C = ssd.split %xbc1 [128, 16, 16] : tensor<?x?x160xf32> -> tensor<?x?x128xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>
    %x4 = ssd.reshape %x : tensor<?x?x128xf32> -> tensor<?x?x4x32xf32>
    %B4 = ssd.reshape %B : tensor<?x?x16xf32> -> tensor<?x?x1x16xf32>
    %C4 = ssd.reshape %C : tensor<?x?x16xf32> -> tensor<?x?x1x16xf32>
    %alog = ssd.weight "backbone.layers.0.mixer.A_log" : tensor<4xf32>
    %ea = ssd.exp %alog : tensor<4xf32>
    %A = ssd.neg %ea : tensor<4xf32>
    %D = ssd.weight "backbone.layers.0.mixer.D" : tensor<4xf32>
    %dtb = ssd.weight "backbone.layers.0.mixer.dt_bias" : tensor<4xf32>
    %y4, %ssm = ssd.ssm %x4, %dt, %A, %B4, %C4 D(%D) dt_bias(%dtb)
        {dt_softplus, dt_limit = array<f64: 0.0, 0x7FF0000000000000>}
        : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<4xf32>, tensor<4xf32>)
          -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
    %y = ssd.reshape %y4 : tensor<?x?x4x32xf32> -> tensor<?x?x128xf32>
    %gw = ssd.weight "backbone.layers.0.mixer.norm.weight" : tensor<128xf32>
    %yn = ssd.rmsnorm %y, %gw gate %z {eps = 1.0e-05 : f64, group_size = 128 : i64} : (tensor<?x?x128xf32>, tensor<128xf32>, tensor<?x?x128xf32>) -> tensor<?x?x128xf32>
    %wo = ssd.weight "backbone.layers.0.mixer.out_proj.weight" : tensor<64x128xf32>
    %o = ssd.linear %yn, %wo : (tensor<?x?x128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
    %r = ssd.add %o, %h : tensor<?x?x64xf32>, tensor<?x?x64xf32> -> tensor<?x?x64xf32>
    return %r, %conv, %ssm : tensor<?x?x64xf32>, tensor<?x160x4xf32>, tensor<?x4x32x16xf32>
  }

  // Final norm and the head, tied to the embeddings.
  func.func private @head(%h: tensor<?x?x64xf32>) -> tensor<?x?x256xf32> {
    %fw = ssd.weight "backbone.norm_f.weight" : tensor<64xf32>
    %hf = ssd.rmsnorm %h, %fw {eps = 1.0e-05 : f64} : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
    %emb = ssd.weight "backbone.embeddings.weight" : tensor<256x64xf32>
    %logits = ssd.linear %hf, %emb : (tensor<?x?x64xf32>, tensor<256x64xf32>) -> tensor<?x?x256xf32>
    return %logits : tensor<?x?x256xf32>
  }
}
