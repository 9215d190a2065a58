// Vector loads and stores of 4 or 8 contiguous storage values (float, or the
// 16-bit __nv_bfloat16 / __half) as floats, for the decode-path templates
// (ssm_recurrent.cuh, rmsnorm.cuh). One 8- or 16-byte access per 4 values of
// 16 bits, one float4 per 4 floats; the 16-bit values are taken from the
// loaded words by their bits (no type punning through pointers). The
// caller guarantees the alignment (4 values: 4·sizeof(T) bytes; 8 values:
// 16 bytes).
#ifndef SSDC_CUDA_VEC_IO_CUH
#define SSDC_CUDA_VEC_IO_CUH

#include "common.cuh"

namespace ssdc {
namespace cuda {

__device__ __forceinline__ float fromBits(unsigned b, const __nv_bfloat16 *) {
  __nv_bfloat16_raw r;
  r.x = static_cast<unsigned short>(b);
  return float(__nv_bfloat16(r));
}
__device__ __forceinline__ float fromBits(unsigned b, const __half *) {
  __half_raw r;
  r.x = static_cast<unsigned short>(b);
  return float(__half(r));
}
__device__ __forceinline__ unsigned toBits(float v, const __nv_bfloat16 *) {
  __nv_bfloat16_raw r = __nv_bfloat16(v);
  return r.x;
}
__device__ __forceinline__ unsigned toBits(float v, const __half *) {
  __half_raw r = __half(v);
  return r.x;
}

/// Two 16-bit values of one 32-bit word (element 0 in the low half).
template <typename T>
__device__ __forceinline__ void unpack2(unsigned w, float &a, float &b) {
  a = fromBits(w & 0xffffu, static_cast<const T *>(nullptr));
  b = fromBits(w >> 16, static_cast<const T *>(nullptr));
}
template <typename T> __device__ __forceinline__ unsigned pack2(float a, float b) {
  return toBits(a, static_cast<const T *>(nullptr)) |
         (toBits(b, static_cast<const T *>(nullptr)) << 16);
}

__device__ __forceinline__ void loadVec4(const float *p, float (&o)[4]) {
  float4 u = *reinterpret_cast<const float4 *>(p);
  o[0] = u.x;
  o[1] = u.y;
  o[2] = u.z;
  o[3] = u.w;
}
template <typename T> __device__ __forceinline__ void loadVec4(const T *p, float (&o)[4]) {
  uint2 u = *reinterpret_cast<const uint2 *>(p);
  unpack2<T>(u.x, o[0], o[1]);
  unpack2<T>(u.y, o[2], o[3]);
}

__device__ __forceinline__ void loadVec8(const float *p, float (&o)[8]) {
  float4 u = reinterpret_cast<const float4 *>(p)[0], v = reinterpret_cast<const float4 *>(p)[1];
  o[0] = u.x;
  o[1] = u.y;
  o[2] = u.z;
  o[3] = u.w;
  o[4] = v.x;
  o[5] = v.y;
  o[6] = v.z;
  o[7] = v.w;
}
template <typename T> __device__ __forceinline__ void loadVec8(const T *p, float (&o)[8]) {
  uint4 u = *reinterpret_cast<const uint4 *>(p);
  unpack2<T>(u.x, o[0], o[1]);
  unpack2<T>(u.y, o[2], o[3]);
  unpack2<T>(u.z, o[4], o[5]);
  unpack2<T>(u.w, o[6], o[7]);
}

__device__ __forceinline__ void storeVec8(float *p, const float (&v)[8]) {
  reinterpret_cast<float4 *>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
  reinterpret_cast<float4 *>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
}
template <typename T> __device__ __forceinline__ void storeVec8(T *p, const float (&v)[8]) {
  uint4 u;
  u.x = pack2<T>(v[0], v[1]);
  u.y = pack2<T>(v[2], v[3]);
  u.z = pack2<T>(v[4], v[5]);
  u.w = pack2<T>(v[6], v[7]);
  *reinterpret_cast<uint4 *>(p) = u;
}

} // namespace cuda
} // namespace ssdc

#endif // SSDC_CUDA_VEC_IO_CUH
