// CUDA rotary embedding (fp32/fp16/bf16 storage, fp32 math), the math of src/cpu/rotary_ref.cpp:
// HALF pairs (i, i + D/2), INTERLEAVED (2i, 2i+1); cos/sin from the [max_position, D/2] caches or
// from theta (angle in double, as the reference). The common case (HALF layout with caches, D/2 a
// whole number of 16-byte vectors, aligned buffers) runs one block per row and one thread per
// (head, vector of pairs) with 16-byte loads; every other case runs one thread per pair.
#include "common.cuh"
#include "launch.hpp"

namespace m42::cuda {
namespace {

template <typename T>
__global__ void rope(const T* x, T* y, int64_t rows, int64_t H, int64_t D, const int64_t* __restrict__ pos,
                     const float* __restrict__ cos_cache, const float* __restrict__ sin_cache, float theta,
                     int interleaved, float sign) {
  const int64_t half = D / 2, total = rows * H * half;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = t % half, rh = t / half, r = rh / H;
    const int64_t p = pos[r];
    float c, s;
    if (cos_cache) {
      c = cos_cache[p * half + i];
      s = sin_cache[p * half + i];
    } else {
      double sd, cd;
      sincos(static_cast<double>(p) * pow(static_cast<double>(theta), -2.0 * static_cast<double>(i) / static_cast<double>(D)), &sd, &cd);
      c = static_cast<float>(cd);
      s = static_cast<float>(sd);
    }
    s *= sign;
    const int64_t base = rh * D;
    const int64_t i0 = base + (interleaved ? 2 * i : i), i1 = base + (interleaved ? 2 * i + 1 : i + half);
    const float a = ld(x, i0), b = ld(x, i1);
    st(y, i0, a * c - b * s);
    st(y, i1, b * c + a * s);
  }
}

// HALF layout with caches: thread (head, v) rotates pairs i = v*N .. v*N+N-1 of one row.
template <typename T>
__global__ void rope_half_cached(const T* x, T* y, int H, int D, const int64_t* __restrict__ pos,
                                 const float* __restrict__ cos_cache, const float* __restrict__ sin_cache, float sign) {
  constexpr int N = VecN<T>;
  const int half = D / 2, per_head = half / N;
  const int64_t p = pos[blockIdx.x];
  const float* cr = cos_cache + p * half;
  const float* sr = sin_cache + p * half;
  for (int t = threadIdx.x; t < H * per_head; t += blockDim.x) {
    const int h = t / per_head, i = (t - h * per_head) * N;
    const int64_t base = (static_cast<int64_t>(blockIdx.x) * H + h) * D;
    float a[N], b[N], c[N], s[N];
    load_vec(x + base + i, a);
    load_vec(x + base + i + half, b);
#pragma unroll
    for (int k = 0; k < N; k += 4) {
      const float4 c4 = *reinterpret_cast<const float4*>(cr + i + k), s4 = *reinterpret_cast<const float4*>(sr + i + k);
      c[k] = c4.x; c[k + 1] = c4.y; c[k + 2] = c4.z; c[k + 3] = c4.w;
      s[k] = s4.x; s[k + 1] = s4.y; s[k + 2] = s4.z; s[k + 3] = s4.w;
    }
    float o0[N], o1[N];
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const float sk = s[k] * sign;
      o0[k] = a[k] * c[k] - b[k] * sk;
      o1[k] = b[k] * c[k] + a[k] * sk;
    }
    store_vec(y + base + i, o0);
    store_vec(y + base + i + half, o1);
  }
}

}  // namespace

void rotary(void* stream, m42_dtype dt, const void* x, void* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
            const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign) {
  auto s = static_cast<cudaStream_t>(stream);
  const int64_t total = rows * H * (D / 2);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    const int64_t half = D / 2;
    if (cos_cache && layout == M42_ROTARY_HALF && half % VecN<T> == 0 && H * D <= (1 << 30) && aligned16(x) &&
        aligned16(y) && aligned16(cos_cache) && aligned16(sin_cache)) {
      const int64_t work = H * (half / VecN<T>);
      const int threads = static_cast<int>(work >= 256 ? 256 : (work + 31) / 32 * 32);
      rope_half_cached<T><<<static_cast<unsigned>(rows), threads, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y),
                                                                          static_cast<int>(H), static_cast<int>(D), pos,
                                                                          cos_cache, sin_cache, static_cast<float>(sign));
      return;
    }
    rope<T><<<grid_for(total, 256), 256, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), rows, H, D, pos, cos_cache,
                                                 sin_cache, theta, layout == M42_ROTARY_INTERLEAVED ? 1 : 0,
                                                 static_cast<float>(sign));
  });
  check_launch("rotary");
}

}  // namespace m42::cuda
