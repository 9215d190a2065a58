//===- SSDLayerOps.td - level 1: model layers -----------------*- tablegen -*-===//
//
// Layer ops with tensor semantics, as the frontend emits them. Leading
// dimensions (batch, length) are usually dynamic; feature dimensions static.
//
//===----------------------------------------------------------------------===//

#ifndef SSD_LAYER_OPS_TD
#define SSD_LAYER_OPS_TD

def SSD_WeightOp : SSD_Op<"weight", [Pure]> {
  let summary = "a named model parameter";
  let description = [{
    Names a tensor of the checkpoint by its canonical (HF) name. The runtime
    binds it to the loaded weight; the verifier requires a static shape.
    ```mlir
    %w = ssd.weight "backbone.layers.0.norm.weight" : tensor<768xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def SSD_EmbeddingOp : SSD_Op<"embedding", [Pure]> {
  let summary = "token embedding lookup";
  let description = [{
    `result[b, l, :] = table[ids[b, l], :]`.
    ```mlir
    %h = ssd.embedding %table[%ids] : (tensor<256x64xf32>, tensor<?x?xi64>) -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$table, SSD_TokenTensor:$ids);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat =
      "$table `[` $ids `]` attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def SSD_RMSNormOp : SSD_Op<"rmsnorm", [Pure]> {
  let summary = "RMS normalisation, optionally gated and grouped";
  let description = [{
    Without a gate: `y = x / rms(x) * weight` over the last dimension.
    With a gate `z` (Mamba-2's output norm): `norm_before_gate = false` first
    gates, `x * silu(z)`, then normalises; `true` normalises then gates.
    `group_size` splits the last dimension into groups normalised separately
    (Mamba-2 uses `d_inner / ngroups`); it defaults to the whole dimension.
    ```mlir
    %y = ssd.rmsnorm %x, %w gate %z {eps = 1.0e-05 : f64, group_size = 256 : i64}
        : (tensor<?x?x512xf32>, tensor<512xf32>, tensor<?x?x512xf32>) -> tensor<?x?x512xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$x, SSD_FloatTensor:$weight,
                   Optional<SSD_FloatTensor>:$gate,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps,
                   OptionalAttr<I64Attr>:$group_size,
                   UnitAttr:$norm_before_gate);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $weight (`gate` $gate^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_LinearOp : SSD_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "dense projection y = x · weightᵀ (+ bias) (+ residual)";
  let description = [{
    `x[..., k]`, `weight[n, k]` (PyTorch layout), optional `bias[n]`, optional
    `residual[..., n]` of the result's type, added to the product (a GEMM's
    `C` operand with beta 1: ssd-fuse-residual folds a residual add into the
    projection before it); the result is `[..., n]`.
    ```mlir
    %y = ssd.linear %x, %w : (tensor<?x?x64xf32>, tensor<256x64xf32>) -> tensor<?x?x256xf32>
    %h = ssd.linear %y, %w2 residual %r
        : (tensor<?x?x128xbf16>, tensor<64x128xbf16>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$x, SSD_FloatTensor:$weight,
                   Optional<SSD_FloatTensor>:$bias,
                   Optional<SSD_FloatTensor>:$residual);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $weight (`bias` $bias^)? (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_Conv1dOp : SSD_Op<"conv1d", [Pure, AttrSizedOperandSegments]> {
  let summary = "causal depthwise conv1d carrying its window state";
  let description = [{
    `x[b, l, c]`, `weight[c, k]`, optional `bias[c]`, optional window
    `state[b, c, k]` (the last k inputs before this call; zeros when absent).
    Results: `y[b, l, c]` and the new window `[b, c, k]` (the last k inputs
    including this call's). `silu` applies SiLU to the output.
    ```mlir
    %y, %s1 = ssd.conv1d %x, %w bias %b state %s0 {silu}
        : (tensor<?x?x96xf32>, tensor<96x4xf32>, tensor<96xf32>, tensor<?x96x4xf32>)
          -> (tensor<?x?x96xf32>, tensor<?x96x4xf32>)
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$x, SSD_FloatTensor:$weight,
                   Optional<SSD_FloatTensor>:$bias,
                   Optional<SSD_F32Tensor>:$state,
                   UnitAttr:$silu);
  let results = (outs SSD_FloatTensor:$y, SSD_F32Tensor:$new_state);
  let assemblyFormat = [{
    $x `,` $weight (`bias` $bias^)? (`state` $state^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_SplitOp : SSD_Op<"split", [Pure]> {
  let summary = "split the last dimension into consecutive pieces";
  let description = [{
    Mamba-2's in_proj output is `[z | x | B | C | dt]` along the last dimension.
    ```mlir
    %z, %xbc, %dt = ssd.split %zxbcdt [128, 160, 4]
        : tensor<?x?x292xf32> -> tensor<?x?x128xf32>, tensor<?x?x160xf32>, tensor<?x?x4xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$input, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<SSD_FloatTensor>:$results);
  let assemblyFormat =
      "$input $sizes attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
}

def SSD_ReshapeOp : SSD_Op<"reshape", [Pure]> {
  let summary = "reshape the static trailing dimensions";
  let description = [{
    The dynamic dimensions (a leading prefix, e.g. batch and length) pass
    through unchanged; the static ones after them are regrouped, with the same
    number of elements.
    ```mlir
    %x4 = ssd.reshape %x : tensor<?x?x128xf32> -> tensor<?x?x2x64xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$input);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def SSD_CastOp : SSD_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "convert the element type (f32 / bf16 / f16)";
  let description = [{
    Moves activations between the model's storage dtype and f32, e.g. the f32
    residual stream of `residual_in_fp32` models.
    ```mlir
    %r = ssd.cast %h : tensor<?x?x64xbf16> to tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$input);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class SSD_UnaryOp<string mnemonic, string what>
    : SSD_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins SSD_FloatTensor:$x);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def SSD_SiluOp : SSD_UnaryOp<"silu", "x · sigmoid(x)">;
def SSD_SoftplusOp : SSD_UnaryOp<"softplus", "log(1 + exp(x))">;
def SSD_ExpOp : SSD_UnaryOp<"exp", "exp(x)">;
def SSD_NegOp : SSD_UnaryOp<"neg", "-x">;

def SSD_ClampOp : SSD_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "clamp to [min, max] (infinite bounds allowed)";
  let arguments = (ins SSD_FloatTensor:$x, F64Attr:$min, F64Attr:$max);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

class SSD_BinaryOp<string mnemonic, string what> : SSD_Op<mnemonic, [Pure]> {
  let summary = what;
  let description = [{
    Elementwise with NumPy broadcasting (shapes aligned on the right; a
    dimension of 1, or a missing one, broadcasts).
  }];
  let arguments = (ins SSD_FloatTensor:$lhs, SSD_FloatTensor:$rhs);
  let results = (outs SSD_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

def SSD_AddOp : SSD_BinaryOp<"add", "lhs + rhs (broadcasting)">;
def SSD_MulOp : SSD_BinaryOp<"mul", "lhs · rhs (broadcasting)">;

#endif // SSD_LAYER_OPS_TD
