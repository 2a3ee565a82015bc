// Shared CUDA helpers: dtype load/store (fp32/fp16/bf16, math in fp32), error checks that throw
// m42::Error (caught by the C ABI shim), block reductions and the dtype dispatch.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <cstdint>
#include <string>
#include "status.hpp"

namespace m42::cuda {

__device__ __forceinline__ float ld(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float ld(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float ld(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void st(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void st(__nv_bfloat16* p, int64_t i, float v) { p[i] = __float2bfloat16_rn(v); }

// A value rounded to T's precision and back (what storing and re-reading it yields).
template <typename T>
__device__ __forceinline__ float round_as(float v) {
  T t;
  st(&t, 0, v);
  return ld(&t, 0);
}

// 16-byte vectors: one aligned access moves VecN<T> elements (4 fp32, 8 fp16/bf16). Raw uint4 keeps
// prefetched data in 4 registers whatever the dtype; unpack/pack convert to and from fp32.
template <typename T>
constexpr int VecN = 16 / static_cast<int>(sizeof(T));
template <typename T>
__device__ __forceinline__ uint4 load16(const T* p) { return *reinterpret_cast<const uint4*>(p); }
template <typename T>
__device__ __forceinline__ void unpack(const uint4& raw, float (&out)[VecN<T>]) {
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int i = 0; i < VecN<T>; ++i) out[i] = ld(e, i);
}
template <typename T>
__device__ __forceinline__ void load_vec(const T* p, float (&out)[VecN<T>]) { unpack<T>(load16(p), out); }
template <typename T>
__device__ __forceinline__ void store_vec(T* p, const float (&in)[VecN<T>]) {
  uint4 raw;
  T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
  for (int i = 0; i < VecN<T>; ++i) st(e, i, in[i]);
  *reinterpret_cast<uint4*>(p) = raw;
}

inline bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Sum over the block (blockDim.x a multiple of 32, <= 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // partial[] may still be read from a previous call
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  v = lane < warps ? partial[lane] : 0.f;
  return warp_sum(v);
}

inline void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw Error(M42_CUDA_ERROR, std::string(what) + ": " + cudaGetErrorString(e));
}
inline void check_launch(const char* what) { check(cudaGetLastError(), what); }

inline unsigned grid_for(int64_t n, int threads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 * 32 ? blocks : 65535 * 32);  // grid-stride loops cover the rest
}

// Calls f(T{}) with T the element type of dt.
template <typename F>
void dispatch(m42_dtype dt, F&& f) {
  switch (dt) {
    case M42_F32: f(float{}); return;
    case M42_F16: f(__half{}); return;
    case M42_BF16: f(__nv_bfloat16{}); return;
  }
  throw Error(M42_INVALID_ARGUMENT, "unknown dtype");
}

}  // namespace m42::cuda
