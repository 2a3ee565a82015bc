// int4 (MatMulNBits layout): the reference dequantiser vs a hand-packed example, matvec/GEMM
// vectorised vs reference for every block size, with and without packed zero points.
#include <gtest/gtest.h>
#include "cpu/kernels.hpp"
#include "test_util.hpp"

using namespace m42::cpu;
using namespace m42test;

// One row, K = 16, block 16: byte e holds k = 2e (low nibble) and k = 2e+1 (high nibble).
TEST(Int4, DequantMatchesHandPackedLayout) {
  uint8_t b[8];
  for (int e = 0; e < 8; ++e) b[e] = static_cast<uint8_t>((2 * e) | ((2 * e + 1) << 4));  // q[k] = k
  const float scale = 0.5f;
  float w[16];
  dequant_int4_ref(b, &scale, nullptr, 1, 16, 16, w);
  for (int k = 0; k < 16; ++k) EXPECT_EQ(w[k], (k - 8) * 0.5f) << k;  // default zero point 8, exact
  const uint8_t zp = 0x03;  // block 0 -> zero point 3 (low nibble)
  dequant_int4_ref(b, &scale, &zp, 1, 16, 16, w);
  for (int k = 0; k < 16; ++k) EXPECT_EQ(w[k], (k - 3) * 0.5f) << k;
}

TEST(Int4, ZeroPointsPackTwoBlocksPerByteRowPadded) {
  // N = 2, K = 48, block 16 -> 3 blocks, ceil(3/2) = 2 zero-point bytes per row.
  const int64_t N = 2, K = 48, block = 16;
  std::vector<uint8_t> b(N * 3 * 8, 0x88);  // every q = 8
  std::vector<float> scales(N * 3, 1.f);
  const uint8_t zp[4] = {0x21, 0x03, 0x54, 0x06};  // row0: 1,2,3  row1: 4,5,6
  std::vector<float> w(N * K);
  dequant_int4_ref(b.data(), scales.data(), zp, N, K, block, w.data());
  const int expect[2][3] = {{1, 2, 3}, {4, 5, 6}};
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(w[n * K + j * block], 8.f - expect[n][j]);
}

class Int4Shapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t, int64_t, int64_t, bool>> {};

TEST_P(Int4Shapes, VectorisedMatchesReference) {
  const auto [M, N, K, block, with_zp] = GetParam();
  const int64_t blocks = K / block;
  auto b = RandomBytes(N * blocks * block / 2, 51);
  auto scales = Random(N * blocks, 52, 0.01f, 0.1f);
  auto zp = RandomBytes(N * ((blocks + 1) / 2), 53);
  auto a = Random(M * K, 54);
  const uint8_t* z = with_zp ? zp.data() : nullptr;
  std::vector<float> y0(M * N), y1(M * N);
  gemm_int4_ref(a.data(), b.data(), scales.data(), z, M, N, K, block, y0.data());
  gemm_int4_vec(a.data(), b.data(), scales.data(), z, M, N, K, block, y1.data());
  // fp32 sums of K terms |a*w| <= 1 * 0.1 * 15 = 1.5 vs double: |error| <= K * 2^-24 * 1.5
  const double bound = static_cast<double>(K) * 1.5 / 16777216.0;
  EXPECT_LT(MaxAbsErr(y1, y0), bound);
  std::vector<float> v0(N), v1(N);
  matvec_int4_ref(a.data(), b.data(), scales.data(), z, N, K, block, v0.data());
  matvec_int4_vec(a.data(), b.data(), scales.data(), z, N, K, block, v1.data());
  EXPECT_LT(MaxAbsErr(v1, v0), bound);
  for (int64_t n = 0; n < N; ++n) EXPECT_EQ(v0[n], y0[n]);  // matvec = first GEMM row, same reference
}

INSTANTIATE_TEST_SUITE_P(Blocks, Int4Shapes,
                         ::testing::Values(std::make_tuple(1, 1, 16, 16, false), std::make_tuple(7, 13, 96, 32, true),
                                           std::make_tuple(3, 9, 192, 64, true), std::make_tuple(5, 17, 384, 128, false),
                                           std::make_tuple(2, 8, 48, 16, true), std::make_tuple(123, 5, 256, 128, true)));
