// Vectorised int4 matvec and GEMM (MatMulNBits layout, see int4_ref.cpp): each block is unpacked to
// floats (q - zp) once and dotted with kLanes float partial sums; the GEMM dequantises a tile of
// 8 weight rows and reuses it for every row of a. Tests: native/tests/test_int4.cpp (vs reference).
#include <algorithm>
#include <vector>
#include "kernels.hpp"
#include "simd.hpp"

namespace m42::cpu {
namespace {

// Unpacks one block row (K values) of W[n, :] into w: (q - zp) * scale.
M42_SIMD void dequant_row(const uint8_t* b, const float* scales, const uint8_t* zp, int64_t n, int64_t K,
                          int64_t block, float* w) {
  const int64_t blocks = K / block;
  for (int64_t j = 0; j < blocks; ++j) {
    const uint8_t* src = b + (n * blocks + j) * (block / 2);
    const float z = static_cast<float>(int4_zero_point(zp, n, blocks, j));
    const float s = scales[n * blocks + j];
    float* dst = w + j * block;
    for (int64_t e = 0; e < block / 2; ++e) {
      dst[2 * e] = (static_cast<float>(src[e] & 0x0F) - z) * s;
      dst[2 * e + 1] = (static_cast<float>(src[e] >> 4) - z) * s;
    }
  }
}

M42_SIMD float dot(const float* a, const float* b, int64_t K) {
  float acc[kLanes] = {};
  int64_t k = 0;
  for (; k + kLanes <= K; k += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += a[k + l] * b[k + l];
  float s = 0.f;
  for (; k < K; ++k) s += a[k] * b[k];
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

}  // namespace

void gemm_int4_vec(const float* a, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t M,
                   int64_t N, int64_t K, int64_t block, float* y) {
  constexpr int64_t kTile = 8;
  std::vector<float> w(static_cast<size_t>(kTile * K));
  for (int64_t n0 = 0; n0 < N; n0 += kTile) {
    const int64_t nt = std::min(kTile, N - n0);
    for (int64_t t = 0; t < nt; ++t) dequant_row(b, scales, zp, n0 + t, K, block, w.data() + t * K);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t t = 0; t < nt; ++t) y[m * N + n0 + t] = dot(a + m * K, w.data() + t * K, K);
  }
}

void matvec_int4_vec(const float* x, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                     int64_t K, int64_t block, float* y) {
  gemm_int4_vec(x, b, scales, zp, 1, N, K, block, y);
}

}  // namespace m42::cpu
