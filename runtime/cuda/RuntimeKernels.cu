// Kernels of the runtime itself, not of any plan: built with nvcc when
// ssdc is built (runtime/cuda/CMakeLists.txt: a fatbin with sm_90 code and
// compute_90 PTX, embedded in libssdrt_cuda) and loaded beside the
// artifact's kernels.fatbin.
//
// ssdc_rt_flag_nonfinite: the numerical guard. Sets *flag to 1 when any of
// the n floats at x is NaN or ±Inf (exponent bits all ones), and leaves it
// alone otherwise: the caller zeroes the flag first. Any 1-D grid; x
// 16-byte aligned (the arena aligns every buffer to 256 bytes).
// ssdc_rt_flag_nonfinite_u16: the same over 16-bit floats, `exp` their
// exponent mask (bf16 0x7f80, f16 0x7c00); used when a diagnosis run looks
// for the first launch whose output holds NaN/Inf.
#include <cstdint>

extern "C" __global__ void ssdc_rt_flag_nonfinite(const float *x, long long n,
                                                  unsigned *flag) {
  const unsigned kExp = 0x7f800000u;
  bool bad = false;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  const long long vecs = n / 4;
  const float4 *x4 = reinterpret_cast<const float4 *>(x);
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < vecs; i += stride) {
    float4 v = x4[i];
    bad |= (__float_as_uint(v.x) & kExp) == kExp;
    bad |= (__float_as_uint(v.y) & kExp) == kExp;
    bad |= (__float_as_uint(v.z) & kExp) == kExp;
    bad |= (__float_as_uint(v.w) & kExp) == kExp;
  }
  for (long long i = vecs * 4 + static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride)
    bad |= (__float_as_uint(x[i]) & kExp) == kExp;
  if (__syncthreads_or(bad) && threadIdx.x == 0)
    *flag = 1u;
}

extern "C" __global__ void ssdc_rt_flag_nonfinite_u16(const unsigned short *x, long long n,
                                                      unsigned exp, unsigned *flag) {
  bool bad = false;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    bad |= (x[i] & exp) == exp;
  if (__syncthreads_or(bad) && threadIdx.x == 0)
    *flag = 1u;
}
