//===- FusedKernel.h - which chunked SSDs the fused CUDA kernel runs -*- C++ -*-===//
//
// One answer for ssd-select-schedule (which chunk sizes to price as one fused
// kernel) and ssd-decompose-chunked{keep-fused} (which sma ops to keep whole):
// the kernel's own launch header decides, so the compiler and the kernel
// cannot disagree. bf16 C, B and x take its tensor-core path, f32 its SIMT
// path; other dtypes and dynamic head dim / state size are not fused.
//
//===----------------------------------------------------------------------===//

#ifndef SSDC_PASSES_FUSEDKERNEL_H
#define SSDC_PASSES_FUSEDKERNEL_H

#include "mlir/IR/BuiltinTypes.h"

#include "ssdc/ssd_fused_launch.h"

namespace ssdc {

/// c, k: [b,l,g,n] (C, B); v: [b,l,h,p] (x, or x·dt in the sma form).
inline bool fusedKernelRuns(mlir::Type c, mlir::Type k, mlir::Type v, int64_t chunk) {
  auto ct = mlir::cast<mlir::RankedTensorType>(c);
  auto kt = mlir::cast<mlir::RankedTensorType>(k);
  auto vt = mlir::cast<mlir::RankedTensorType>(v);
  int64_t p = vt.getDimSize(3), n = kt.getDimSize(3);
  if (mlir::ShapedType::isDynamic(p) || mlir::ShapedType::isDynamic(n))
    return false;
  auto all = [&](auto is) {
    return is(ct.getElementType()) && is(kt.getElementType()) && is(vt.getElementType());
  };
  bool bf16 = all([](mlir::Type t) { return t.isBF16(); });
  bool f32 = all([](mlir::Type t) { return t.isF32(); });
  if (!bf16 && !f32)
    return false;
  return cuda::fusedSsdLaunch(static_cast<int>(chunk), static_cast<int>(p),
                              static_cast<int>(n), 1, 1, 1, bf16)
             .error == nullptr;
}

} // namespace ssdc

#endif // SSDC_PASSES_FUSEDKERNEL_H
