//===- SSDChunkOps.td - level 4: chunked block decomposition --*- tablegen -*-===//
//
// The chunked schedule of `ssd.sma`: the sequence is cut into chunks of
// `chunk_size` tokens (the last may be shorter). Tensors keep the [b, l, ...]
// layout; per-chunk results have a chunk dimension c = ceil(l / chunk_size).
// Unfused, each op maps to one kernel; a fusion pass may merge them.
//
//===----------------------------------------------------------------------===//

#ifndef SSD_CHUNK_OPS_TD
#define SSD_CHUNK_OPS_TD

def SSD_ChunkCumsumOp : SSD_Op<"chunk_cumsum", [Pure, AttrSizedOperandSegments]> {
  let summary = "dt processing and the within-chunk cumulative log decay";
  let description = [{
    `dt_out = clamp(softplus(dt + dt_bias), dt_limit)` (each step optional) and
    `cum[b, t, h]` = inclusive sum of `dt_out · A[h]` from the start of t's
    chunk to t. Without `A` the input already is the log decay (`dt_out = dt`,
    `cum` sums it). Both results are f32 `[b, l, h]`.
    ```mlir
    %dt1, %cum = ssd.chunk_cumsum %dt A(%A) dt_bias(%bias) {chunk_size = 64 : i64, dt_softplus}
        : (tensor<?x?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$dt, Optional<SSD_F32Tensor>:$A,
                   Optional<SSD_F32Tensor>:$dt_bias,
                   I64Attr:$chunk_size, UnitAttr:$dt_softplus,
                   OptionalAttr<DenseF64ArrayAttr>:$dt_limit);
  let results = (outs SSD_F32Tensor:$dt_out, SSD_F32Tensor:$cum);
  let assemblyFormat = [{
    $dt (`A` `(` $A^ `)`)? (`dt_bias` `(` $dt_bias^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_ChunkStateOp : SSD_Op<"chunk_state", [Pure]> {
  let summary = "right low-rank factors: the state each chunk contributes";
  let description = [{
    `states[b, c, h, p, n] = Σ_{j in chunk c} exp(cum_last − cum_j) v[b,j,h,p] k[b,j,g,n]`.
    ```mlir
    %st = ssd.chunk_state %k, %v, %cum {chunk_size = 64 : i64}
        : (tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x32x16xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$k, SSD_FloatTensor:$v,
                   SSD_F32Tensor:$cum, I64Attr:$chunk_size);
  let results = (outs SSD_F32Tensor:$states);
  let assemblyFormat =
      "$k `,` $v `,` $cum attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def SSD_StatePassOp : SSD_Op<"state_pass", [Pure]> {
  let summary = "the 1-semiseparable recurrence across chunks";
  let description = [{
    `prev[c] = exp(total[c−1]) · prev[c−1] + states[c−1]`, `prev[0] = init`
    (zeros when absent), where `total[c]` is the last `cum` of chunk c; the
    final state is the state after the last chunk. `strategy` picks a
    sequential walk or a log-depth scan.
    ```mlir
    %prev, %final = ssd.state_pass %st, %cum {chunk_size = 64 : i64, strategy = #ssd.state_pass<sequential>}
        : (tensor<?x?x4x32x16xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x4x32x16xf32>, tensor<?x4x32x16xf32>)
    ```
  }];
  let arguments = (ins SSD_F32Tensor:$states, SSD_F32Tensor:$cum,
                   Optional<SSD_F32Tensor>:$init_state, I64Attr:$chunk_size,
                   DefaultValuedAttr<SSD_StatePassAttr,
                       "::ssdc::ssd::StatePassKind::sequential">:$strategy);
  let results = (outs SSD_F32Tensor:$prev_states, SSD_F32Tensor:$final_state);
  let assemblyFormat = [{
    $states `,` $cum (`init` `(` $init_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSD_ChunkOutputOp : SSD_Op<"chunk_output", [Pure, AttrSizedOperandSegments]> {
  let summary = "diagonal blocks plus left factors times the passed state";
  let description = [{
    `y[b,i,h,:] = Σ_{j ≤ i in i's chunk} exp(cum_i − cum_j) (q_i · k_j) v_j
                 + exp(cum_i) q_i · prev[chunk(i)]`, plus, with
    `skip(%x, %D)`, the fused D-skip `D · x`.
    ```mlir
    %y = ssd.chunk_output %q, %k, %v, %cum, %prev skip(%x, %D) {chunk_size = 64 : i64}
        : (tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4xf32>,
           tensor<?x?x4x32x16xf32>, tensor<?x?x4x32xf32>, tensor<4xf32>) -> tensor<?x?x4x32xf32>
    ```
  }];
  let arguments = (ins SSD_FloatTensor:$q, SSD_FloatTensor:$k,
                   SSD_FloatTensor:$v, SSD_F32Tensor:$cum,
                   SSD_F32Tensor:$prev_states,
                   Optional<SSD_FloatTensor>:$skip_x,
                   Optional<SSD_F32Tensor>:$D, I64Attr:$chunk_size);
  let results = (outs SSD_FloatTensor:$y);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $cum `,` $prev_states (`skip` `(` $skip_x^ `,` $D `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // SSD_CHUNK_OPS_TD
