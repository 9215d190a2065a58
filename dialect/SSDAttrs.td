//===- SSDAttrs.td - schedule, mask and state-passing attributes -*- tablegen -*-===//
//
// `#ssd.schedule<...>` says how a structured-matrix op is computed and where
// the choice came from; `#ssd.mask<...>` which mask an `ssd.sma` applies;
// `#ssd.state_pass<...>` how chunk states cross chunk boundaries.
//
//===----------------------------------------------------------------------===//

#ifndef SSD_ATTRS_TD
#define SSD_ATTRS_TD

include "dialect/SSDBase.td"
include "mlir/IR/EnumAttr.td"

def SSD_ScheduleKind : I32EnumAttr<"ScheduleKind",
    "how a structured-matrix operator is computed", [
      I32EnumAttrCase<"recurrent", 0>,
      I32EnumAttrCase<"quadratic", 1>,
      I32EnumAttrCase<"chunked", 2>]> {
  let cppNamespace = "::ssdc::ssd";
  let genSpecializedAttr = 0;
}

def SSD_MaskKind : I32EnumAttr<"MaskKind", "the mask L of y = (L ∘ Q Kᵀ) V", [
      I32EnumAttrCase<"decay", 0>,
      I32EnumAttrCase<"causal", 1>]> {
  let cppNamespace = "::ssdc::ssd";
  let genSpecializedAttr = 0;
}

def SSD_StatePassKind : I32EnumAttr<"StatePassKind",
    "how chunk states are passed across chunks", [
      I32EnumAttrCase<"sequential", 0>,
      I32EnumAttrCase<"log_depth", 1>]> {
  let cppNamespace = "::ssdc::ssd";
  let genSpecializedAttr = 0;
}

def SSD_MaskAttr : EnumAttr<SSD_Dialect, SSD_MaskKind, "mask"> {
  let summary = "mask of a structured masked attention";
  let description = [{
    `#ssd.mask<decay>`: `L[i,j] = exp(Σ_{k=j+1..i} a_k)` for `i ≥ j` (the
    1-semiseparable mask of a selective SSM; needs a log-decay operand).
    `#ssd.mask<causal>`: `L[i,j] = 1` for `i ≥ j` (plain causal linear attention).
  }];
  let assemblyFormat = "`<` $value `>`";
}

def SSD_StatePassAttr : EnumAttr<SSD_Dialect, SSD_StatePassKind, "state_pass"> {
  let summary = "state-passing strategy across chunks";
  let assemblyFormat = "`<` $value `>`";
}

def SSD_ScheduleAttr : SSD_Attr<"Schedule", "schedule"> {
  let summary = "how a structured-matrix op is computed";
  let description = [{
    ```mlir
    #ssd.schedule<recurrent>
    #ssd.schedule<quadratic>
    #ssd.schedule<chunked, 128>
    #ssd.schedule<chunked, 256, "tuning-db">   // where the choice came from
    ```
    The chunk size is given for `chunked` only and is positive. The optional
    string records the source of the decision (cost model, tuning database,
    user) so that `--explain` and people reading the IR can tell.
  }];
  let parameters = (ins
    EnumParameter<SSD_ScheduleKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$chunkSize,
    StringRefParameter<"where the decision came from", [{""}]>:$source);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isChunked() const { return getKind() == ScheduleKind::chunked; }
  }];
}

#endif // SSD_ATTRS_TD
