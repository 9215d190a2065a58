// cuBLASLt GEMMs (see LtGemm.h). Row-major o[rows, n] = x[rows, k]·w[n, k]ᵀ
// is, in cuBLAS's column-major terms, D (n × rows, ld n) = op(A) · B with
// A = w seen as k × n (ld k) transposed and B = x seen as k × rows (ld k).
#include "runtime/cuda/LtGemm.h"

#include "runtime/core/Error.h"

namespace ssdc::rt {

namespace {

/// 32 MiB: what NVIDIA recommends for Hopper's cuBLASLt kernels.
constexpr size_t kWorkspaceBytes = size_t(32) << 20;

void check(cublasStatus_t s, const std::string &what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw RuntimeError("cuBLASLt error in " + what + ": " + cublasLtGetStatusName(s) +
                       " (" + cublasLtGetStatusString(s) + ")");
}

void check(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess)
    throw RuntimeError("CUDA error in " + what + ": " + cudaGetErrorName(e) + " (" +
                       cudaGetErrorString(e) + ")");
}

cudaDataType_t ltType(const std::string &dtype, const std::string &where) {
  if (dtype == "f32") return CUDA_R_32F;
  if (dtype == "bf16") return CUDA_R_16BF;
  if (dtype == "f16") return CUDA_R_16F;
  throw RuntimeError("no cuBLASLt type for dtype '" + dtype + "' (" + where + ")");
}

} // namespace

LtGemm::LtGemm() {
  check(cublasLtCreate(&handle), "cublasLtCreate");
  workspaceBytes = kWorkspaceBytes;
  check(cudaMalloc(&workspace, workspaceBytes), "cudaMalloc for the cuBLASLt workspace");
}

LtGemm::~LtGemm() {
  for (auto &[key, p] : cache) {
    cublasLtMatrixLayoutDestroy(p.a);
    cublasLtMatrixLayoutDestroy(p.b);
    cublasLtMatrixLayoutDestroy(p.c);
    cublasLtMatmulDescDestroy(p.op);
  }
  if (workspace)
    cudaFree(workspace);
  if (handle)
    cublasLtDestroy(handle);
}

const LtGemm::Plan &LtGemm::plan(const Key &key, const std::string &where) {
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  const auto &[rows, n, k, xType, wType, oType, ldx] = key;
  std::string what = "planning the GEMM for " + where;
  Plan p;
  // Compute 32F in every case: fp32 stays fp32 (no TF32), 16-bit operands
  // accumulate in fp32. alpha and beta are f32 host scalars.
  check(cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32F, CUDA_R_32F), what);
  cublasOperation_t transA = CUBLAS_OP_T, transB = CUBLAS_OP_N;
  check(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSA, &transA,
                                       sizeof(transA)),
        what);
  check(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSB, &transB,
                                       sizeof(transB)),
        what);
  check(cublasLtMatrixLayoutCreate(&p.a, ltType(wType, where), static_cast<uint64_t>(k),
                                   static_cast<uint64_t>(n), k),
        what);
  check(cublasLtMatrixLayoutCreate(&p.b, ltType(xType, where), static_cast<uint64_t>(k),
                                   static_cast<uint64_t>(rows), ldx),
        what);
  check(cublasLtMatrixLayoutCreate(&p.c, ltType(oType, where), static_cast<uint64_t>(n),
                                   static_cast<uint64_t>(rows), n),
        what);
  cublasLtMatmulPreference_t pref = nullptr;
  check(cublasLtMatmulPreferenceCreate(&pref), what);
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  cublasStatus_t s = cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
      sizeof(workspaceBytes));
  if (s == CUBLAS_STATUS_SUCCESS)
    s = cublasLtMatmulAlgoGetHeuristic(handle, p.op, p.a, p.b, p.c, p.c, pref, 1, &result,
                                       &found);
  cublasLtMatmulPreferenceDestroy(pref);
  std::string shape = "[" + std::to_string(rows) + ", " + std::to_string(k) + "] x [" +
                      std::to_string(n) + ", " + std::to_string(k) + "]ᵀ, " + xType +
                      " x " + wType + " -> " + oType;
  if (s != CUBLAS_STATUS_SUCCESS || found < 1) {
    cublasLtMatrixLayoutDestroy(p.a);
    cublasLtMatrixLayoutDestroy(p.b);
    cublasLtMatrixLayoutDestroy(p.c);
    cublasLtMatmulDescDestroy(p.op);
    check(s, what + " (" + shape + ")");
    throw RuntimeError("cuBLASLt has no algorithm for the GEMM " + shape + " (" + where +
                       ")");
  }
  p.algo = result.algo;
  return cache.emplace(key, p).first->second;
}

void LtGemm::run(const void *x, const void *w, void *o, int64_t rows, int64_t n,
                 int64_t k, const std::string &xType, const std::string &wType,
                 const std::string &oType, cudaStream_t stream, const std::string &where,
                 int64_t ldx, const void *acc) {
  if (xType != wType || (xType == "f32" && oType != "f32"))
    throw RuntimeError("the CUDA executor's GEMM needs x and w of one dtype (f32, or one "
                       "16-bit dtype with a 16-bit or f32 output), got " + xType + " x " +
                       wType + " -> " + oType + " (" + where + ")");
  if (rows == 0 || n == 0)
    return;
  if (ldx == 0)
    ldx = k;
  if (ldx < k)
    throw RuntimeError("the GEMM for " + where + " reads rows of " + std::to_string(k) +
                       " elements " + std::to_string(ldx) + " apart");
  const Plan &p = plan(Key{rows, n, k, xType, wType, oType, ldx}, where);
  const float one = 1.0f, zero = 0.0f;
  check(cublasLtMatmul(handle, p.op, &one, w, p.a, x, p.b, acc ? &one : &zero,
                       acc ? acc : o, p.c, o, p.c, &p.algo, workspace, workspaceBytes, stream),
        "cublasLtMatmul (" + xType + " operands -> " + oType + ", compute 32F) for " +
            where + " [" + std::to_string(rows) + ", " + std::to_string(k) + "] x [" +
            std::to_string(n) + ", " + std::to_string(k) + "]ᵀ");
}

} // namespace ssdc::rt
