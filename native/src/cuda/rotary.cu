// CUDA rotary embedding (fp32/fp16/bf16 storage, fp32 math), the math of src/cpu/rotary_ref.cpp:
// one thread per (row, head, frequency) pair; HALF pairs (i, i + D/2), INTERLEAVED (2i, 2i+1);
// cos/sin from the [max_position, D/2] caches or from theta (angle in double, as the reference).
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

}  // namespace

void rotary(void* stream, m42_dtype dt, const void* x, void* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
            const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign) {
  auto s = static_cast<cudaStream_t>(stream);
  const int64_t total = rows * H * (D / 2);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    rope<T><<<grid_for(total, 256), 256, 0, s>>>(static_cast<const T*>(x), static_cast<T*>(y), rows, H, D, pos, cos_cache,
                                                 sin_cache, theta, layout == M42_ROTARY_INTERLEAVED ? 1 : 0,
                                                 static_cast<float>(sign));
  });
  check_launch("rotary");
}

}  // namespace m42::cuda
