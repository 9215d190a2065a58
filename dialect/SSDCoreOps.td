//===- SSDCoreOps.td - levels 2-3: the structured-matrix core -*- tablegen -*-===//
//
// `ssd.ssm` (SSM notation) and `ssd.sma` (attention notation) are the same
// operator; `ssd.attention` is softmax attention, which has no finite-state
// recurrence. Each may carry a `schedule` attribute (level 3, scheduled IR).
//
//===----------------------------------------------------------------------===//

#ifndef SSD_CORE_OPS_TD
#define SSD_CORE_OPS_TD

def SSD_SSMOp : SSD_Op<"ssm", [Pure, AttrSizedOperandSegments]> {
  let summary = "selective state-space model (Mamba-2 SSD), SSM notation";
  let description = [{
    Per batch b and head h, with group g = h / (H / G):
    ```
    dt_t = clamp(softplus(dt_t + dt_bias), dt_limit)   (each step optional)
    S_t  = exp(dt_t · A_h) · S_{t-1} + dt_t · x_t ⊗ B_t,g          S: [P, N]
    y_t  = S_t · C_t,g + D_h · x_t
    ```
    Operands: `x[b,l,h,p]`, `dt[b,l,h]`, `A[h]` (already `-exp(A_log)`),
    `B[b,l,g,n]`, `C[b,l,g,n]`; optional `D` (`[h]` or `[h,p]`), `dt_bias[h]`,
    initial state `init[b,h,p,n]` (zeros when absent). Results: `y[b,l,h,p]`
    and the final state `[b,h,p,n]` in f32.
    ```mlir
    %y, %s = ssd.ssm %x, %dt, %A, %B, %C D(%D) dt_bias(%bias)
        {dt_softplus, dt_limit = array<f64: 0.0, 0x7FF0000000000000>,
         schedule = #ssd.schedule<chunked, 128>}
        : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>,
           tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<4xf32>, tensor<4xf32>)
          -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$x, SSD_FloatTensor:$dt,
                   SSD_F32Tensor:$A, SSD_FloatTensor:$B, SSD_FloatTensor:$C,
                   Optional<SSD_F32Tensor>:$D,
                   Optional<SSD_F32Tensor>:$dt_bias,
                   Optional<SSD_F32Tensor>:$init_state,
                   UnitAttr:$dt_softplus,
                   OptionalAttr<DenseF64ArrayAttr>:$dt_limit,
                   OptionalAttr<SSD_ScheduleAttr>:$schedule);
  let results = (outs SSD_FloatTensor:$y, SSD_F32Tensor:$final_state);
  let assemblyFormat = [{
    $x `,` $dt `,` $A `,` $B `,` $C
    (`D` `(` $D^ `)`)? (`dt_bias` `(` $dt_bias^ `)`)? (`init` `(` $init_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_SMAOp : SSD_Op<"sma", [Pure, AttrSizedOperandSegments]> {
  let summary = "structured masked attention Y = (L ∘ Q Kᵀ) V";
  let description = [{
    The SSD operator in attention notation (the duality of Dao & Gu):
    `q[b,l,g,n]` plays C, `k[b,l,g,n]` plays B, `v[b,l,h,p]` plays `dt·x`,
    and with `#ssd.mask<decay>` the operand `log_decay[b,l,h]` plays `dt·A`.
    With `#ssd.mask<causal>` there is no decay operand. The optional initial
    state `[b,h,p,n]` enters as a left factor; the final state is returned.
    ```mlir
    %y, %s = ssd.sma %q, %k, %v decay(%a) {mask = #ssd.mask<decay>}
        : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>)
          -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$q, SSD_FloatTensor:$k,
                   SSD_FloatTensor:$v,
                   Optional<SSD_F32Tensor>:$log_decay,
                   Optional<SSD_F32Tensor>:$init_state,
                   SSD_MaskAttr:$mask,
                   OptionalAttr<SSD_ScheduleAttr>:$schedule);
  let results = (outs SSD_FloatTensor:$y, SSD_F32Tensor:$final_state);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`decay` `(` $log_decay^ `)`)? (`init` `(` $init_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_AttentionOp : SSD_Op<"attention", [Pure, AttrSizedOperandSegments]> {
  let summary = "causal softmax attention with GQA and RoPE";
  let description = [{
    `q[b,l,hq,d]`, `k[b,l,hk,d]`, `v[b,l,hk,dv]` with `hq % hk == 0` (grouped
    query attention). RoPE (non-interleaved) rotates the first `rotary_dim`
    channels of q and k. An optional cache `(past_k, past_v)` of `s` earlier
    positions is prepended; results are `y[b,l,hq,dv]` and the whole keys and
    values `[b, s+l, hk, ·]` (the next cache). Softmax attention has no
    finite-state recurrence: only `#ssd.schedule<quadratic>` is legal.
    ```mlir
    %y, %k2, %v2 = ssd.attention %q, %k, %v {rotary_dim = 32 : i64}
        : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
          -> (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$q, SSD_FloatTensor:$k,
                   SSD_FloatTensor:$v,
                   Optional<SSD_FloatTensor>:$past_k,
                   Optional<SSD_FloatTensor>:$past_v,
                   DefaultValuedAttr<I64Attr, "0">:$rotary_dim,
                   DefaultValuedAttr<F64Attr, "10000.0">:$rope_theta,
                   OptionalAttr<F64Attr>:$scale,
                   OptionalAttr<SSD_ScheduleAttr>:$schedule);
  let results = (outs SSD_FloatTensor:$y, SSD_FloatTensor:$keys,
                 SSD_FloatTensor:$values);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`cache` `(` $past_k^ `,` $past_v `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // SSD_CORE_OPS_TD
