// CUDA RMSNorm forward/backward (fp32/fp16/bf16 storage, fp32 math), the math of
// src/cpu/rms_norm_ref.cpp. Forward: one block per row, the row held in registers as 16-byte
// vectors (read once). Backward: one block per M42_RMS_NORM_BWD_ROWS rows, the next row's loads
// issued before the current row's reduction, dw summed per thread in registers and written as one
// partial row; a column pass then adds the partial rows in a fixed order (deterministic, no
// atomics). Rows whose width or pointers do not suit 16-byte vectors take the scalar kernels.
// Parity: native/tests/test_cuda_parity.cpp.
#include "common.cuh"
#include "launch.hpp"
#include <initializer_list>

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

constexpr int kFwdVectorsPerThread = 4;

template <typename T>
__global__ void __launch_bounds__(1024) rms_fwd_vec(const T* __restrict__ x, T* residual, const T* __restrict__ w, int C, float eps,
                            T* __restrict__ y, float* __restrict__ inv_rms) {
  constexpr int N = VecN<T>;
  const int64_t off = static_cast<int64_t>(blockIdx.x) * C;
  float v[kFwdVectorsPerThread][N];
  float ss = 0.f;
#pragma unroll
  for (int j = 0; j < kFwdVectorsPerThread; ++j) {
    const int e = (threadIdx.x + j * blockDim.x) * N;
    if (e >= C) continue;
    load_vec(x + off + e, v[j]);
    if (residual) {
      float r[N];
      load_vec(residual + off + e, r);
#pragma unroll
      for (int i = 0; i < N; ++i) v[j][i] = round_as<T>(v[j][i] + r[i]);  // normalise the stored sum, as the reference
      store_vec(residual + off + e, v[j]);
    }
#pragma unroll
    for (int i = 0; i < N; ++i) ss += v[j][i] * v[j][i];
  }
  const float inv = rsqrtf(block_sum(ss) / static_cast<float>(C) + eps);
  if (threadIdx.x == 0) inv_rms[blockIdx.x] = inv;
#pragma unroll
  for (int j = 0; j < kFwdVectorsPerThread; ++j) {
    const int e = (threadIdx.x + j * blockDim.x) * N;
    if (e >= C) continue;
    float wv[N];
    load_vec(w + e, wv);
#pragma unroll
    for (int i = 0; i < N; ++i) v[j][i] = v[j][i] * inv * wv[i];
    store_vec(y + off + e, v[j]);
  }
}

// Launch bounds keep the register budget within what the block size allows (else the launch fails).
template <typename T, int VPT>
__global__ void __launch_bounds__(VPT == 1 ? 1024 : 512)
    rms_bwd_vec(const T* __restrict__ dy, const T* __restrict__ x, const T* __restrict__ w,
                const float* __restrict__ inv_rms, int64_t rows, int C, T* __restrict__ dx,
                float* __restrict__ dw_partial) {
  constexpr int N = VecN<T>;
  const int64_t r0 = static_cast<int64_t>(blockIdx.x) * M42_RMS_NORM_BWD_ROWS;
  const int64_t r1 = r0 + M42_RMS_NORM_BWD_ROWS < rows ? r0 + M42_RMS_NORM_BWD_ROWS : rows;
  float wv[VPT][N], dw[VPT][N];
  // Raw loads of the next row, issued before this row's reduction (a deeper prefetch measured slower).
  uint4 g_raw[VPT], x_raw[VPT];
#pragma unroll
  for (int j = 0; j < VPT; ++j) {
    const int e = (threadIdx.x + j * blockDim.x) * N;
#pragma unroll
    for (int i = 0; i < N; ++i) dw[j][i] = 0.f;
    if (e >= C) continue;
    load_vec(w + e, wv[j]);
    g_raw[j] = load16(dy + r0 * C + e);
    x_raw[j] = load16(x + r0 * C + e);
  }
  for (int64_t r = r0; r < r1; ++r) {
    float g[VPT][N], xv[VPT][N];
    float dot = 0.f;
#pragma unroll
    for (int j = 0; j < VPT; ++j) {
      const int e = (threadIdx.x + j * blockDim.x) * N;
      if (e >= C) continue;
      unpack<T>(g_raw[j], g[j]);
      unpack<T>(x_raw[j], xv[j]);
      if (r + 1 < r1) {
        g_raw[j] = load16(dy + (r + 1) * C + e);
        x_raw[j] = load16(x + (r + 1) * C + e);
      }
#pragma unroll
      for (int i = 0; i < N; ++i) dot += wv[j][i] * g[j][i] * xv[j][i];
    }
    const float inv = inv_rms[r];
    const float mean = block_sum(dot) * inv / static_cast<float>(C);
#pragma unroll
    for (int j = 0; j < VPT; ++j) {
      const int e = (threadIdx.x + j * blockDim.x) * N;
      if (e >= C) continue;
      float out[N];
#pragma unroll
      for (int i = 0; i < N; ++i) {
        const float xhat = xv[j][i] * inv;
        out[i] = inv * (wv[j][i] * g[j][i] - xhat * mean);
        dw[j][i] += g[j][i] * xhat;
      }
      store_vec(dx + r * C + e, out);
    }
  }
  float* part = dw_partial + static_cast<int64_t>(blockIdx.x) * C;
#pragma unroll
  for (int j = 0; j < VPT; ++j) {
    const int e = (threadIdx.x + j * blockDim.x) * N;
    if (e >= C) continue;
#pragma unroll
    for (int i = 0; i < N; i += 4)
      *reinterpret_cast<float4*>(part + e + i) = make_float4(dw[j][i], dw[j][i + 1], dw[j][i + 2], dw[j][i + 3]);
  }
}

// dw[c] = sum over the partial rows: 32 columns x 32 row slices per block, each slice summed in
// order, then the slices added in a fixed tree (deterministic, and wide enough to keep loads in flight).
template <typename T>
__global__ void reduce_columns_tree(const float* __restrict__ partial, int64_t parts, int64_t C, T* __restrict__ dw) {
  __shared__ float sum[32][33];
  const int64_t c = static_cast<int64_t>(blockIdx.x) * 32 + threadIdx.x;
  float s = 0.f;
  if (c < C)
    for (int64_t p = threadIdx.y; p < parts; p += 32) s += partial[p * C + c];
  sum[threadIdx.y][threadIdx.x] = s;
  __syncthreads();
  for (int step = 16; step > 0; step >>= 1) {
    if (threadIdx.y < step) sum[threadIdx.y][threadIdx.x] += sum[threadIdx.y + step][threadIdx.x];
    __syncthreads();
  }
  if (threadIdx.y == 0 && c < C) st(dw, c, sum[0][threadIdx.x]);
}

int threads_for(int64_t C) {
  const int64_t t = (C + 3) / 4;  // ~4 elements per thread, 128..1024 threads
  return t >= 1024 ? 1024 : t <= 128 ? 128 : static_cast<int>((t + 31) / 32 * 32);
}

int round_warps(int64_t n) { return static_cast<int>(n < 32 ? 32 : (n + 31) / 32 * 32); }

// Whole 16-byte vectors per row and aligned buffers: the vector kernels apply.
template <typename T>
bool vectorisable(int64_t C, std::initializer_list<const void*> buffers) {
  if (C % VecN<T> != 0 || C > (1 << 30)) return false;
  for (const void* p : buffers)
    if (p != nullptr && !aligned16(p)) return false;
  return true;
}

}  // namespace

void rms_norm_forward(void* stream, m42_dtype dt, const void* x, void* residual, const void* w, int64_t rows,
                      int64_t C, float eps, void* y, float* inv_rms) {
  auto s = static_cast<cudaStream_t>(stream);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    const int64_t nvec = C / VecN<T>;
    if (vectorisable<T>(C, {x, residual, w, y}) && nvec <= 1024 * kFwdVectorsPerThread) {
      const int threads = round_warps((nvec + kFwdVectorsPerThread - 1) / kFwdVectorsPerThread);
      rms_fwd_vec<T><<<static_cast<unsigned>(rows), threads, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(residual),
                                                                     static_cast<const T*>(w), static_cast<int>(C), eps,
                                                                     static_cast<T*>(y), inv_rms);
      return;
    }
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
    const int64_t nvec = C / VecN<T>;
    const unsigned grid = static_cast<unsigned>(parts);
    if (vectorisable<T>(C, {dy, x, w, dx, dw_partial}) && nvec <= 2048) {
      const auto args = [&](auto kernel, int vpt) {
        kernel<<<grid, round_warps((nvec + vpt - 1) / vpt), 0, s>>>(static_cast<const T*>(dy), static_cast<const T*>(x),
                                                                    static_cast<const T*>(w), inv_rms, rows, static_cast<int>(C),
                                                                    static_cast<T*>(dx), dw_partial);
      };
      if (nvec <= 1024) args(rms_bwd_vec<T, 1>, 1);
      else args(rms_bwd_vec<T, 4>, 4);  // <= 512 threads
    } else {
      rms_bwd<T><<<grid, threads_for(C), 0, s>>>(static_cast<const T*>(dy), static_cast<const T*>(x),
                                                 static_cast<const T*>(w), inv_rms, rows, C, static_cast<T*>(dx), dw_partial);
    }
    reduce_columns_tree<T><<<static_cast<unsigned>((C + 31) / 32), dim3(32, 32), 0, s>>>(dw_partial, parts, C, static_cast<T*>(dw));
  });
  check_launch("rms_norm_backward");
}

}  // namespace m42::cuda
