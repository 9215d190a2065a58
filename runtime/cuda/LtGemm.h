// The dense projections of a plan (ssd.linear) through cuBLASLt: one matmul
// descriptor, three layouts and the heuristic's first algorithm per
// (shape, dtypes), chosen once and cached; one workspace for all of them
// (so a GEMM can be captured into a CUDA graph: cuBLASLt allocates nothing
// at run time). fp32 operands run with CUBLAS_COMPUTE_32F — plain fp32, no
// TF32 — and bf16/f16 operands accumulate in fp32 (compute 32F, scale f32).
#ifndef SSDC_RUNTIME_CUDA_LTGEMM_H
#define SSDC_RUNTIME_CUDA_LTGEMM_H

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace ssdc::rt {

class LtGemm {
public:
  LtGemm();
  ~LtGemm();
  LtGemm(const LtGemm &) = delete;
  LtGemm &operator=(const LtGemm &) = delete;

  /// Row-major o[rows, n] = x[rows, k] · w[n, k]ᵀ (+ acc[rows, n]) on
  /// `stream`. Dtypes are plan dtypes: x and w both "f32", or both
  /// "bf16"/"f16" (then o is that dtype or "f32"); `acc` (optional, o's
  /// dtype and layout, may not be o) is added with beta 1. Row r of x starts
  /// at x + r·ldx elements (ldx 0: k; a larger one reads every ldx/k-th row,
  /// e.g. each sequence's last position). `where` names the launch for errors.
  void run(const void *x, const void *w, void *o, int64_t rows, int64_t n, int64_t k,
           const std::string &xType, const std::string &wType, const std::string &oType,
           cudaStream_t stream, const std::string &where, int64_t ldx = 0,
           const void *acc = nullptr);

  /// Shapes planned so far (for reports).
  size_t plans() const { return cache.size(); }

private:
  struct Plan {
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    cublasLtMatmulAlgo_t algo{};
  };
  using Key =
      std::tuple<int64_t, int64_t, int64_t, std::string, std::string, std::string, int64_t>;
  const Plan &plan(const Key &key, const std::string &where);

  cublasLtHandle_t handle = nullptr;
  void *workspace = nullptr;
  size_t workspaceBytes = 0;
  std::map<Key, Plan> cache;
};

} // namespace ssdc::rt

#endif // SSDC_RUNTIME_CUDA_LTGEMM_H
