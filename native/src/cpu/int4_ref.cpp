// Reference int4 dequantisation in ONNX Runtime's MatMulNBits layout (contrib op com.microsoft,
// bits = 4): b [N, K/block, block/2], element k of a block is the low nibble of byte k/2 when k is
// even, the high nibble when odd; W[n, k] = (q - zp) * scale; y = a · Wᵀ accumulated in double.
// Tests: native/tests/test_int4.cpp (and MatMulNBits itself as the oracle in the C# tests).
#include <vector>
#include "kernels.hpp"

namespace m42::cpu {

void dequant_int4_ref(const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N, int64_t K,
                      int64_t block, float* w) {
  const int64_t blocks = K / block;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      const int64_t j = k / block, e = k % block;
      const uint8_t byte = b[(n * blocks + j) * (block / 2) + e / 2];
      const int q = (e % 2 == 0) ? (byte & 0x0F) : (byte >> 4);
      w[n * K + k] = static_cast<float>(q - int4_zero_point(zp, n, blocks, j)) * scales[n * blocks + j];
    }
  }
}

void gemm_int4_ref(const float* a, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t M,
                   int64_t N, int64_t K, int64_t block, float* y) {
  std::vector<float> w(static_cast<size_t>(N * K));
  dequant_int4_ref(b, scales, zp, N, K, block, w.data());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) acc += static_cast<double>(a[m * K + k]) * w[static_cast<size_t>(n * K + k)];
      y[m * N + n] = static_cast<float>(acc);
    }
}

void matvec_int4_ref(const float* x, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                     int64_t K, int64_t block, float* y) {
  gemm_int4_ref(x, b, scales, zp, 1, N, K, block, y);
}

}  // namespace m42::cpu
