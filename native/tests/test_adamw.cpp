// AdamW: vectorised vs reference; the reference vs a hand-unrolled two-step update from the
// PyTorch AdamW formula; fp16/bf16 copies vs known bit patterns.
#include <gtest/gtest.h>
#include <cmath>
#include "cpu/kernels.hpp"
#include "test_util.hpp"

using namespace m42::cpu;
using namespace m42test;

TEST(AdamW, ReferenceMatchesPyTorchFormulaOverTwoSteps) {
  float p = 0.5f, m = 0.f, v = 0.f;
  const float g1 = 0.2f, g2 = -0.1f, lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f;
  adamw_ref(&p, &g1, &m, &v, 1, lr, b1, b2, eps, wd, 1, M42_F32, nullptr);
  adamw_ref(&p, &g2, &m, &v, 1, lr, b1, b2, eps, wd, 2, M42_F32, nullptr);
  // Written out independently (double): step t: p *= 1 - lr*wd; m,v EMAs; p -= lr*mhat/(sqrt(vhat)+eps)
  double P = 0.5, M = 0, V = 0;
  const double G[2] = {0.2f, -0.1f};
  for (int t = 1; t <= 2; ++t) {
    P *= 1 - 1e-2f * 0.1f;
    M = 0.9f * M + (1 - 0.9f) * G[t - 1];
    V = 0.999f * V + (1 - 0.999f) * G[t - 1] * G[t - 1];
    P -= 1e-2f * (M / (1 - std::pow(0.9f, t))) / (std::sqrt(V / (1 - std::pow(0.999f, t))) + 1e-8f);
  }
  EXPECT_NEAR(p, P, 1e-7);  // fp32 storage of p between steps: < 1 ulp of 0.5 each step
  EXPECT_NEAR(m, M, 1e-8);
}

TEST(AdamW, VectorisedMatchesReferenceWithCopies) {
  for (int64_t n : {1, 7, 123, 1000}) {
    auto p0 = Random(n, 61), g = Random(n, 62), m0 = Random(n, 63, -0.1f, 0.1f), v0 = Random(n, 64, 0.f, 0.01f);
    auto p1 = p0, m1 = m0, v1 = v0;
    std::vector<uint16_t> c0(n), c1(n);
    adamw_ref(p0.data(), g.data(), m0.data(), v0.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 10, M42_BF16, c0.data());
    adamw_vec(p1.data(), g.data(), m1.data(), v1.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 10, M42_BF16, c1.data());
    // fp32 arithmetic vs double per element: the update (~1e-3) is exact to ~1e-6 relative
    EXPECT_LT(MaxAbsErr(p1, p0), 1e-6);
    // m, v: fp32 EMAs of terms <= 1 (m) and <= 1e-2 (v) may cancel, so absolute: a few ulp.
    EXPECT_LT(MaxAbsErr(m1, m0), 1e-7);
    EXPECT_LT(MaxAbsErr(v1, v0), 1e-8);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(c1[i], float_to_bf16_bits(p1[i]));
  }
}

TEST(AdamW, HalfAndBf16RoundingBitPatterns) {
  // IEEE binary16 / bfloat16 encodings from the standards (round to nearest, ties to even).
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half_bits(65504.f), 0x7BFF);
  EXPECT_EQ(float_to_half_bits(1e6f), 0x7C00);
  EXPECT_EQ(float_to_half_bits(5.9604645e-8f), 0x0001);  // smallest subnormal 2^-24
  EXPECT_EQ(float_to_half_bits(1.0f + 1.0f / 2048), 0x3C00);  // tie -> even
  EXPECT_EQ(float_to_half_bits(1.0f + 3.0f / 2048), 0x3C02);  // tie -> even (up)
  EXPECT_EQ(float_to_bf16_bits(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bf16_bits(3.140625f), 0x4049);
  EXPECT_EQ(half_bits_to_float(0x3555), 0.33325195f);
  EXPECT_EQ(bf16_bits_to_float(0xC000), -2.0f);
}
