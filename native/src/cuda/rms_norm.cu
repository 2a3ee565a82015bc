// CUDA RMSNorm forward/backward (fp32/fp16/bf16 storage, fp32 math), the math of
// src/cpu/rms_norm_ref.cpp. Forward: one block per row. Backward: one block per
// M42_RMS_NORM_BWD_ROWS rows writing its dw partial sum, then a column pass that adds the partial
// rows in index order (deterministic, no atomics). Parity: native/tests/test_cuda_parity.cpp.
#include "common.cuh"
#include "launch.hpp"

namespace m42::cuda {
namespace {

template <typename T>
__global__ void rms_fwd(const T* __restrict__ x, T* residual, const T* __restrict__ w, int64_t C, float eps,
                        T* __restrict__ y, float* __restrict__ inv_rms) {
  const int64_t row = blockIdx.x;
  const T* xr = x + row * C;
  T* rr = residual ? residual + row * C : nullptr;
  float ss = 0.f;
  for (int64_t c = threadIdx.x; c < C; c += blockDim.x) {
    float v = ld(xr, c);
    if (rr) {
      v += ld(rr, c);
      st(rr, c, v);
      v = ld(rr, c);  // normalise the stored (rounded) sum, as the CPU reference does
    }
    ss += v * v;
  }
  const float inv = rsqrtf(block_sum(ss) / static_cast<float>(C) + eps);
  if (threadIdx.x == 0) inv_rms[row] = inv;
  const T* src = rr ? rr : xr;
  for (int64_t c = threadIdx.x; c < C; c += blockDim.x) st(y + row * C, c, ld(src, c) * inv * ld(w, c));
}

template <typename T>
__global__ void rms_bwd(const T* __restrict__ dy, const T* __restrict__ x, const T* __restrict__ w,
                        const float* __restrict__ inv_rms, int64_t rows, int64_t C, T* __restrict__ dx,
                        float* __restrict__ dw_partial) {
  const int64_t r0 = static_cast<int64_t>(blockIdx.x) * M42_RMS_NORM_BWD_ROWS;
  const int64_t r1 = r0 + M42_RMS_NORM_BWD_ROWS < rows ? r0 + M42_RMS_NORM_BWD_ROWS : rows;
  float* part = dw_partial + static_cast<int64_t>(blockIdx.x) * C;
  for (int64_t c = threadIdx.x; c < C; c += blockDim.x) part[c] = 0.f;  // each thread owns its columns
  for (int64_t r = r0; r < r1; ++r) {
    const float inv = inv_rms[r];
    float dot = 0.f;
    for (int64_t c = threadIdx.x; c < C; c += blockDim.x) dot += ld(w, c) * ld(dy, r * C + c) * ld(x, r * C + c);
    const float mean = block_sum(dot) * inv / static_cast<float>(C);
    for (int64_t c = threadIdx.x; c < C; c += blockDim.x) {
      const float g = ld(dy, r * C + c), xhat = ld(x, r * C + c) * inv;
      st(dx, r * C + c, inv * (ld(w, c) * g - xhat * mean));
      part[c] += g * xhat;
    }
  }
}

template <typename T>
__global__ void reduce_columns(const float* __restrict__ partial, int64_t parts, int64_t C, T* __restrict__ dw) {
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < C;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float s = 0.f;
    for (int64_t p = 0; p < parts; ++p) s += partial[p * C + c];  // fixed order
    st(dw, c, s);
  }
}

int threads_for(int64_t C) {
  const int64_t t = (C + 3) / 4;  // ~4 elements per thread, 128..1024 threads
  return t >= 1024 ? 1024 : t <= 128 ? 128 : static_cast<int>((t + 31) / 32 * 32);
}

}  // namespace

void rms_norm_forward(void* stream, m42_dtype dt, const void* x, void* residual, const void* w, int64_t rows,
                      int64_t C, float eps, void* y, float* inv_rms) {
  auto s = static_cast<cudaStream_t>(stream);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    rms_fwd<T><<<static_cast<unsigned>(rows), threads_for(C), 0, s>>>(static_cast<const T*>(x), static_cast<T*>(residual),
                                                                      static_cast<const T*>(w), C, eps, static_cast<T*>(y), inv_rms);
  });
  check_launch("rms_norm_forward");
}

void rms_norm_backward(void* stream, m42_dtype dt, const void* dy, const void* x, const void* w, const float* inv_rms,
                       int64_t rows, int64_t C, void* dx, void* dw, float* dw_partial) {
  auto s = static_cast<cudaStream_t>(stream);
  const int64_t parts = (rows + M42_RMS_NORM_BWD_ROWS - 1) / M42_RMS_NORM_BWD_ROWS;
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    rms_bwd<T><<<static_cast<unsigned>(parts), threads_for(C), 0, s>>>(static_cast<const T*>(dy), static_cast<const T*>(x),
                                                                       static_cast<const T*>(w), inv_rms, rows, C,
                                                                       static_cast<T*>(dx), dw_partial);
    reduce_columns<T><<<grid_for(C, 256), 256, 0, s>>>(dw_partial, parts, C, static_cast<T*>(dw));
  });
  check_launch("rms_norm_backward");
}

}  // namespace m42::cuda
