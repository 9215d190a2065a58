//===- SSDOps.td - all `ssd` operations -----------------------*- tablegen -*-===//
//
// One TableGen root for the ops; the ops themselves live in one file per IR
// level of DESIGN.md:
//   SSDLayerOps.td  level 1: layers with tensor semantics
//   SSDCoreOps.td   level 2/3: the structured-matrix core and its schedule
//   SSDChunkOps.td  level 4: the chunked block decomposition
//
//===----------------------------------------------------------------------===//

#ifndef SSD_OPS_TD
#define SSD_OPS_TD

include "dialect/SSDBase.td"
include "dialect/SSDAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

include "dialect/SSDLayerOps.td"
include "dialect/SSDCoreOps.td"
include "dialect/SSDChunkOps.td"

#endif // SSD_OPS_TD
