//===- SSDBase.td - the `ssd` dialect and its base classes -*- tablegen -*-===//
//
// The `ssd` dialect expresses structured state-space models: layer ops with
// tensor semantics, the structured-matrix core (`ssd.ssm`, `ssd.sma`,
// `ssd.attention`) whose schedule the compiler chooses, and the chunked block
// decomposition the chunked schedule lowers to.
//
//===----------------------------------------------------------------------===//

#ifndef SSD_BASE_TD
#define SSD_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SSD_Dialect : Dialect {
  let name = "ssd";
  let cppNamespace = "::ssdc::ssd";
  let summary = "Structured state-space models as semiseparable-matrix operators";
  let description = [{
    A selective SSM with scalar-times-identity transitions and masked linear
    attention are one operator, `y = M x` with `M = L ∘ (C Bᵀ)` and `L` a
    1-semiseparable decay mask. The dialect states that operator once
    (`ssd.ssm` in SSM notation, `ssd.sma` in attention notation) and lets the
    compiler pick how to compute it: `#ssd.schedule<recurrent>`,
    `#ssd.schedule<quadratic>` or `#ssd.schedule<chunked, Q>`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let extraClassDeclaration = [{
    /// Defined in SSDAttrs.cpp, where the attribute storage classes are.
    void registerAttributes();
  }];
}

class SSD_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSD_Dialect, mnemonic, traits>;

class SSD_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<SSD_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// Element types. Activations and matmul operands may be reduced precision;
// everything that is accumulated (decays, states, A, dt after softplus) is f32
// by the numerics policy in DESIGN.md.
def SSD_FloatTensor : TensorOf<[F32, BF16, F16]>;
def SSD_F32Tensor : TensorOf<[F32]>;
def SSD_TokenTensor : TensorOf<[I32, I64]>;

#endif // SSD_BASE_TD
