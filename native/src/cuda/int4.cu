// CUDA int4 (ONNX Runtime MatMulNBits layout, see src/cpu/int4_ref.cpp): dequantisation (one thread
// per 16-byte vector of output weights; one thread per byte when K or the buffers do not allow
// that), fused dequant + matvec (one warp per output row) and a tiled fp32-accumulating GEMM over
// the dequantised weights. Parity: native/tests/test_cuda_parity.cpp.
#include "common.cuh"
#include "launch.hpp"

namespace m42::cuda {
namespace {

__device__ __forceinline__ int zero_point(const uint8_t* zp, int64_t n, int64_t blocks, int64_t j) {
  if (zp == nullptr) return 8;
  const uint8_t byte = zp[n * ((blocks + 1) / 2) + j / 2];
  return (j & 1) ? (byte >> 4) : (byte & 0x0F);
}

template <typename T>
__global__ void dequant(const uint8_t* __restrict__ b, const float* __restrict__ scales, const uint8_t* __restrict__ zp,
                        int64_t N, int64_t K, int64_t block, T* __restrict__ w) {
  const int64_t bytes = N * K / 2, blocks = K / block;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < bytes;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t k = (t * 2) % K, n = (t * 2) / K, j = k / block;  // byte t holds W[n, k], W[n, k+1]
    const uint8_t q = b[t];
    const float sc = scales[n * blocks + j];
    const float z = static_cast<float>(zero_point(zp, n, blocks, j));
    st(w, n * K + k, (static_cast<float>(q & 0x0F) - z) * sc);
    st(w, n * K + k + 1, (static_cast<float>(q >> 4) - z) * sc);
  }
}

// Thread t: W[n, k .. k+V-1] (V = one 16-byte store of T: 4 fp32 or 8 fp16/bf16) from V/2 packed
// bytes, all in quantisation block k / block; a warp's stores are one contiguous 512-byte run.
template <typename T>
__global__ void dequant_vec(const uint8_t* __restrict__ b, const float* __restrict__ scales, const uint8_t* __restrict__ zp,
                            int64_t N, int64_t K, int64_t block, T* __restrict__ w) {
  constexpr int V = VecN<T>;
  const int64_t groups = N * K / V, per_row = K / V, blocks = K / block;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < groups;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t n = t / per_row, k = (t - n * per_row) * V, j = k / block;
    const uint32_t q = V == 4 ? *reinterpret_cast<const uint16_t*>(b + t * 2) : *reinterpret_cast<const uint32_t*>(b + t * 4);
    const float sc = scales[n * blocks + j];
    const float z = static_cast<float>(zero_point(zp, n, blocks, j));
    float v[V];
#pragma unroll
    for (int i = 0; i < V / 2; ++i) {
      const uint32_t byte = (q >> (8 * i)) & 0xFF;
      v[2 * i] = (static_cast<float>(byte & 0x0F) - z) * sc;
      v[2 * i + 1] = (static_cast<float>(byte >> 4) - z) * sc;
    }
    store_vec(w + t * V, v);
  }
}

template <typename T>
__global__ void matvec(const T* __restrict__ x, const uint8_t* __restrict__ b, const float* __restrict__ scales,
                       const uint8_t* __restrict__ zp, int64_t N, int64_t K, int64_t block, T* __restrict__ y) {
  const int64_t n = blockIdx.x * static_cast<int64_t>(blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x & 31;
  if (n >= N) return;
  const int64_t blocks = K / block;
  const uint8_t* row = b + n * K / 2;
  float acc = 0.f;
  for (int64_t e = lane; e < K / 2; e += 32) {
    const int64_t k = 2 * e, j = k / block;
    const float sc = scales[n * blocks + j], z = static_cast<float>(zero_point(zp, n, blocks, j));
    const uint8_t q = row[e];
    acc += ld(x, k) * ((static_cast<float>(q & 0x0F) - z) * sc) + ld(x, k + 1) * ((static_cast<float>(q >> 4) - z) * sc);
  }
  acc = warp_sum(acc);
  if (lane == 0) st(y, n, acc);
}

constexpr int kTile = 16;

// y[m, n] = sum_k a[m, k] * w[n, k]: 16x16 output tiles, fp32 accumulation.
template <typename T>
__global__ void gemm_nt(const T* __restrict__ a, const T* __restrict__ w, int64_t M, int64_t N, int64_t K, T* __restrict__ y) {
  __shared__ float as[kTile][kTile + 1], ws[kTile][kTile + 1];
  const int64_t m = blockIdx.y * static_cast<int64_t>(kTile) + threadIdx.y, n = blockIdx.x * static_cast<int64_t>(kTile) + threadIdx.x;
  const int64_t wn = blockIdx.x * static_cast<int64_t>(kTile) + threadIdx.y;  // row of w this thread loads
  float acc = 0.f;
  for (int64_t k0 = 0; k0 < K; k0 += kTile) {
    const int64_t k = k0 + threadIdx.x;
    as[threadIdx.y][threadIdx.x] = (m < M && k < K) ? ld(a, m * K + k) : 0.f;
    ws[threadIdx.y][threadIdx.x] = (wn < N && k < K) ? ld(w, wn * K + k) : 0.f;
    __syncthreads();
    for (int kk = 0; kk < kTile; ++kk) acc += as[threadIdx.y][kk] * ws[threadIdx.x][kk];
    __syncthreads();
  }
  if (m < M && n < N) st(y, m * N + n, acc);
}

}  // namespace

void dequant_int4(void* stream, m42_dtype dt, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                  int64_t K, int64_t block, void* w) {
  auto s = static_cast<cudaStream_t>(stream);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    constexpr int V = VecN<T>;
    if (K % V == 0 && block % V == 0 && reinterpret_cast<uintptr_t>(b) % (V / 2) == 0 && aligned16(w)) {
      dequant_vec<T><<<grid_for(N * K / V, 256), 256, 0, s>>>(b, scales, zp, N, K, block, static_cast<T*>(w));
      return;
    }
    dequant<T><<<grid_for(N * K / 2, 256), 256, 0, s>>>(b, scales, zp, N, K, block, static_cast<T*>(w));
  });
  check_launch("dequant_int4");
}

void matvec_int4(void* stream, m42_dtype dt, const void* x, const uint8_t* b, const float* scales, const uint8_t* zp,
                 int64_t N, int64_t K, int64_t block, void* y) {
  auto s = static_cast<cudaStream_t>(stream);
  constexpr int kWarps = 8;
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    matvec<T><<<static_cast<unsigned>((N + kWarps - 1) / kWarps), kWarps * 32, 0, s>>>(static_cast<const T*>(x), b, scales, zp,
                                                                                       N, K, block, static_cast<T*>(y));
  });
  check_launch("matvec_int4");
}

void gemm(void* stream, m42_dtype dt, const void* a, const void* w, int64_t M, int64_t N, int64_t K, void* y) {
  auto s = static_cast<cudaStream_t>(stream);
  const dim3 grid(static_cast<unsigned>((N + kTile - 1) / kTile), static_cast<unsigned>((M + kTile - 1) / kTile));
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    gemm_nt<T><<<grid, dim3(kTile, kTile), 0, s>>>(static_cast<const T*>(a), static_cast<const T*>(w), M, N, K, static_cast<T*>(y));
  });
  check_launch("gemm_int4");
}

}  // namespace m42::cuda
