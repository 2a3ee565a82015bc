// Rotary: vectorised vs reference for both layouts, caches vs theta, an independent hand-derived
// check of HF rotate_half on a 4-dim head, backward vs float64 finite differences (and inverse).
#include <gtest/gtest.h>
#include <cmath>
#include "cpu/kernels.hpp"
#include "cpu/ref_templates.hpp"
#include "test_util.hpp"

using namespace m42::cpu;
using namespace m42test;

namespace {
std::vector<int64_t> Positions(int64_t rows, int64_t max_pos) {
  std::vector<int64_t> p(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) p[static_cast<size_t>(r)] = (r * 7 + 3) % max_pos;
  return p;
}
void Caches(int64_t P, int64_t D, float theta, std::vector<float>& c, std::vector<float>& s) {
  c.resize(static_cast<size_t>(P * D / 2));
  s.resize(c.size());
  for (int64_t p = 0; p < P; ++p)
    for (int64_t i = 0; i < D / 2; ++i) {
      const double a = static_cast<double>(p) * std::pow(static_cast<double>(theta), -2.0 * i / D);
      c[static_cast<size_t>(p * D / 2 + i)] = static_cast<float>(std::cos(a));
      s[static_cast<size_t>(p * D / 2 + i)] = static_cast<float>(std::sin(a));
    }
}
}  // namespace

class RotaryShapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t, int64_t, m42_rotary_layout>> {};

TEST_P(RotaryShapes, VectorisedMatchesReferenceAndCacheMatchesTheta) {
  const auto [rows, H, D, layout] = GetParam();
  const size_t n = static_cast<size_t>(rows * H * D);
  auto x = Random(n, 31);
  auto pos = Positions(rows, 300);
  std::vector<float> c, s;
  Caches(300, D, 10000.f, c, s);
  std::vector<float> y0(n), y1(n), y2(n);
  rotary_ref(x.data(), y0.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, 1);
  rotary_vec(x.data(), y1.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, 1);
  rotary_vec(x.data(), y2.data(), rows, H, D, pos.data(), c.data(), s.data(), 0.f, layout, 1);
  // same cos/sin values; only FMA contraction differs: |x|, |cos|, |sin| <= 1, so each output
  // (two products) differs by at most ~2 ulp of 1 = 2.4e-7 absolute.
  EXPECT_LT(MaxAbsErr(y1, y0), 1e-6);
  EXPECT_LT(MaxAbsErr(y2, y0), 1e-6);
  auto inplace = x;
  rotary_vec(inplace.data(), inplace.data(), rows, H, D, pos.data(), c.data(), s.data(), 0.f, layout, 1);
  EXPECT_EQ(inplace, y2);  // aliasing y == x gives the same bits
}

INSTANTIATE_TEST_SUITE_P(Odd, RotaryShapes,
                         ::testing::Values(std::make_tuple(1, 1, 2, M42_ROTARY_HALF), std::make_tuple(7, 3, 6, M42_ROTARY_HALF),
                                           std::make_tuple(123, 2, 128, M42_ROTARY_HALF),
                                           std::make_tuple(7, 3, 6, M42_ROTARY_INTERLEAVED),
                                           std::make_tuple(123, 2, 128, M42_ROTARY_INTERLEAVED)));

// HF: q_embed = q*cos + rotate_half(q)*sin, rotate_half([a,b,c,d]) = [-c,-d,a,b]; cos/sin of
// freq i repeated over both halves. llama2.c: (x0,x1) -> (x0 c - x1 s, x0 s + x1 c) per pair.
TEST(Rotary, MatchesHandDerivedFormulas) {
  const float x[4] = {1.f, 2.f, 3.f, 4.f};
  const int64_t pos = 5;
  const double a0 = 5.0, a1 = 5.0 * std::pow(100.0, -0.5);  // theta = 100, D = 4
  float y[4];
  rotary_ref(x, y, 1, 1, 4, &pos, nullptr, nullptr, 100.f, M42_ROTARY_HALF, 1);
  EXPECT_NEAR(y[0], 1 * std::cos(a0) - 3 * std::sin(a0), 1e-6);
  EXPECT_NEAR(y[1], 2 * std::cos(a1) - 4 * std::sin(a1), 1e-6);
  EXPECT_NEAR(y[2], 3 * std::cos(a0) + 1 * std::sin(a0), 1e-6);
  EXPECT_NEAR(y[3], 4 * std::cos(a1) + 2 * std::sin(a1), 1e-6);
  rotary_ref(x, y, 1, 1, 4, &pos, nullptr, nullptr, 100.f, M42_ROTARY_INTERLEAVED, 1);
  EXPECT_NEAR(y[0], 1 * std::cos(a0) - 2 * std::sin(a0), 1e-6);
  EXPECT_NEAR(y[1], 1 * std::sin(a0) + 2 * std::cos(a0), 1e-6);
  EXPECT_NEAR(y[2], 3 * std::cos(a1) - 4 * std::sin(a1), 1e-6);
  EXPECT_NEAR(y[3], 3 * std::sin(a1) + 4 * std::cos(a1), 1e-6);
}

TEST(RotaryGrad, BackwardMatchesFiniteDifferencesAndInverts) {
  for (auto layout : {M42_ROTARY_HALF, M42_ROTARY_INTERLEAVED}) {
    const int64_t rows = 7, H = 2, D = 6;
    const size_t n = rows * H * D;
    auto xf = Random(n, 41), gf = Random(n, 42);
    auto pos = Positions(rows, 50);
    std::vector<double> x(xf.begin(), xf.end());
    auto loss = [&](const std::vector<double>& xx) {
      std::vector<double> y(n);
      rotary_ref_t<double>(xx.data(), y.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, 1);
      double l = 0;
      for (size_t i = 0; i < n; ++i) l += y[i] * gf[i];
      return l;
    };
    std::vector<float> dx(n);
    rotary_vec(gf.data(), dx.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, -1);
    const double h = 1e-6;
    for (size_t i = 0; i < n; ++i) {
      auto xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      // linear map: FD is exact up to double rounding; 1e-5 covers the fp32 kernel
      EXPECT_NEAR(dx[i], (loss(xp) - loss(xm)) / (2 * h), 1e-5);
    }
    std::vector<float> y(n), back(n);
    rotary_ref(xf.data(), y.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, 1);
    rotary_ref(y.data(), back.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, -1);
    EXPECT_LT(MaxAbsErr(back, xf), 1e-6);  // rotation then inverse: identity up to fp32 rounding
  }
}
