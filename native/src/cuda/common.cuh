// Shared CUDA helpers: dtype load/store (fp32/fp16/bf16, math in fp32), error checks that throw
// m42::Error (caught by the C ABI shim), block reductions and the dtype dispatch.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <string>
#include "status.hpp"

namespace m42::cuda {

__device__ __forceinline__ float ld(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float ld(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float ld(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void st(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void st(__nv_bfloat16* p, int64_t i, float v) { p[i] = __float2bfloat16_rn(v); }

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
