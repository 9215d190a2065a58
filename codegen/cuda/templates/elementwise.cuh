// Elementwise ops of a plan (exp, neg, silu, softplus, clamp, cast), add/mul
// with NumPy broadcasting, and the column copy that materialises an
// ssd.split view. Launch: any 1-D grid (grid-stride loops).
#ifndef SSDC_CUDA_ELEMENTWISE_CUH
#define SSDC_CUDA_ELEMENTWISE_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

enum class Unary { Exp, Neg, Silu, Softplus, Clamp, Copy };

template <Unary Op, typename TI, typename TO>
__device__ void unaryKernel(const UnaryParams &p) {
  const TI *x = static_cast<const TI *>(p.x);
  TO *y = static_cast<TO *>(p.y);
  for (int64_t i = globalIndex(); i < p.n; i += globalStride()) {
    float v = float(x[i]);
    if (Op == Unary::Exp) v = expf(v);
    if (Op == Unary::Neg) v = -v;
    if (Op == Unary::Silu) v = siluf(v);
    if (Op == Unary::Softplus) v = softplusf(v);
    if (Op == Unary::Clamp) v = fminf(fmaxf(v, p.lo), p.hi);
    y[i] = TO(v);
  }
}

template <bool Multiply, typename TA, typename TB, typename TO>
__device__ void binaryKernel(const BinaryParams &p) {
  const TA *pa = static_cast<const TA *>(p.a);
  const TB *pb = static_cast<const TB *>(p.b);
  TO *y = static_cast<TO *>(p.y);
  for (int64_t i = globalIndex(); i < p.n; i += globalStride()) {
    int64_t rest = i, ai = 0, bi = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      int64_t idx = rest % p.shape[d];
      rest /= p.shape[d];
      ai += idx * p.aStride[d];
      bi += idx * p.bStride[d];
    }
    float a = float(pa[ai]), b = float(pb[bi]);
    y[i] = TO(Multiply ? a * b : a + b);
  }
}

template <typename T>
__device__ void copyColumnsKernel(const CopyColumnsParams &p) {
  const T *src = static_cast<const T *>(p.src);
  T *dst = static_cast<T *>(p.dst);
  int64_t n = p.rows * p.columns;
  for (int64_t i = globalIndex(); i < n; i += globalStride()) {
    int64_t r = i / p.columns, c = i % p.columns;
    dst[i] = src[r * p.width + p.offset + c];
  }
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_ELEMENTWISE_CUH
