// Elementwise ops of a plan (exp, neg, silu, softplus, clamp, cast), add/mul
// with NumPy broadcasting, and the column copy that materialises an
// ssd.split view. Launch: any 1-D grid (grid-stride loops).
#ifndef SSDC_CUDA_ELEMENTWISE_CUH
#define SSDC_CUDA_ELEMENTWISE_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

enum class Unary { Exp, Neg, Silu, Softplus, Clamp, Copy };

template <Unary Op, typename T>
__device__ void unaryKernel(const UnaryParams &p) {
  for (int64_t i = globalIndex(); i < p.n; i += globalStride()) {
    float v = float(p.x[i]);
    if (Op == Unary::Exp) v = expf(v);
    if (Op == Unary::Neg) v = -v;
    if (Op == Unary::Silu) v = siluf(v);
    if (Op == Unary::Softplus) v = softplusf(v);
    if (Op == Unary::Clamp) v = fminf(fmaxf(v, p.lo), p.hi);
    p.y[i] = T(v);
  }
}

template <bool Multiply, typename T>
__device__ void binaryKernel(const BinaryParams &p) {
  for (int64_t i = globalIndex(); i < p.n; i += globalStride()) {
    int64_t rest = i, ai = 0, bi = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      int64_t idx = rest % p.shape[d];
      rest /= p.shape[d];
      ai += idx * p.aStride[d];
      bi += idx * p.bStride[d];
    }
    float a = float(p.a[ai]), b = float(p.b[bi]);
    p.y[i] = T(Multiply ? a * b : a + b);
  }
}

template <typename T>
__device__ void copyColumnsKernel(const CopyColumnsParams &p) {
  int64_t n = p.rows * p.columns;
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    int64_t r = i / p.columns, c = i % p.columns;
    p.dst[i] = p.src[r * p.width + p.offset + c];
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_ELEMENTWISE_CUH
