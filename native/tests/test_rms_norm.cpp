// RMSNorm: vectorised vs reference (odd shapes), fused residual, and the backward reference vs
// float64 central finite differences of the forward reference (ref_templates.hpp, T = double).
#include <gtest/gtest.h>
#include "cpu/kernels.hpp"
#include "cpu/ref_templates.hpp"
#include "test_util.hpp"

using namespace m42::cpu;
using namespace m42test;

class RmsNormShapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t>> {};

TEST_P(RmsNormShapes, VectorisedMatchesReference) {
  const auto [rows, C] = GetParam();
  const size_t n = static_cast<size_t>(rows * C);
  auto x = Random(n, 1, -3.f, 3.f), w = Random(static_cast<size_t>(C), 2, 0.5f, 1.5f), dy = Random(n, 3);
  std::vector<float> y0(n), y1(n), i0(rows), i1(rows), dx0(n), dx1(n), dw0(C), dw1(C);
  rms_norm_forward_ref(x.data(), nullptr, w.data(), rows, C, 1e-5f, y0.data(), i0.data());
  rms_norm_forward_vec(x.data(), nullptr, w.data(), rows, C, 1e-5f, y1.data(), i1.data());
  // fp32 with 16-lane partial sums vs a double-accumulated reference: a few ulp per element.
  EXPECT_LT(MaxRelErr(y1, y0), 1e-5);
  EXPECT_LT(MaxRelErr(i1, i0), 1e-5);
  rms_norm_backward_ref(dy.data(), x.data(), w.data(), i0.data(), rows, C, dx0.data(), dw0.data());
  rms_norm_backward_vec(dy.data(), x.data(), w.data(), i0.data(), rows, C, dx1.data(), dw1.data());
  // dx: fp32 dot of C terms vs double (cancellation in w*dy - xhat*mean), so 1e-4 relative.
  EXPECT_LT(MaxRelErr(dx1, dx0), 1e-4);
  // dw: rows terms |dy*xhat| <= ~4, each rounded once in fp32 (2^-24 relative) before the
  // double sum, and the column sums can cancel, so bound absolutely: rows * 4 * 6e-8 <= 1e-5.
  EXPECT_LT(MaxAbsErr(dw1, dw0), 1e-5 * static_cast<double>(rows));
}

TEST_P(RmsNormShapes, FusedResidualEqualsAddThenNorm) {
  const auto [rows, C] = GetParam();
  const size_t n = static_cast<size_t>(rows * C);
  auto x = Random(n, 4), res = Random(n, 5), w = Random(static_cast<size_t>(C), 6);
  std::vector<float> sum(n);
  for (size_t i = 0; i < n; ++i) sum[i] = x[i] + res[i];
  std::vector<float> y0(n), y1(n), i0(rows), i1(rows);
  rms_norm_forward_ref(sum.data(), nullptr, w.data(), rows, C, 1e-6f, y0.data(), i0.data());
  auto res_vec = res;
  rms_norm_forward_vec(x.data(), res_vec.data(), w.data(), rows, C, 1e-6f, y1.data(), i1.data());
  EXPECT_EQ(res_vec, sum);  // the residual stream receives exactly x + residual (one fp32 add)
  EXPECT_LT(MaxRelErr(y1, y0), 1e-5);
  auto res_ref = res;
  std::vector<float> y2(n), i2(rows);
  rms_norm_forward_ref(x.data(), res_ref.data(), w.data(), rows, C, 1e-6f, y2.data(), i2.data());
  EXPECT_EQ(y2, y0);
}

INSTANTIATE_TEST_SUITE_P(OddShapes, RmsNormShapes,
                         ::testing::Values(std::make_tuple(1, 7), std::make_tuple(7, 33), std::make_tuple(123, 100),
                                           std::make_tuple(4, 4096), std::make_tuple(3, 1)));

// Loss L = sum(y * g): dL/dx and dL/dw by central differences of the double forward reference.
TEST(RmsNormGrad, BackwardMatchesFiniteDifferences) {
  for (auto [rows, C] : {std::pair<int64_t, int64_t>{1, 5}, {7, 33}, {3, 64}}) {
    const size_t n = static_cast<size_t>(rows * C);
    auto xf = Random(n, 11, -2.f, 2.f), wf = Random(static_cast<size_t>(C), 12, 0.5f, 1.5f), gf = Random(n, 13);
    std::vector<double> x(xf.begin(), xf.end()), w(wf.begin(), wf.end());
    const double eps = 1e-5;
    auto loss = [&](const std::vector<double>& xx, const std::vector<double>& ww) {
      std::vector<double> y(n), inv(static_cast<size_t>(rows));
      rms_norm_forward_ref_t<double>(xx.data(), nullptr, ww.data(), rows, C, eps, y.data(), inv.data());
      double l = 0;
      for (size_t i = 0; i < n; ++i) l += y[i] * gf[i];
      return l;
    };
    std::vector<float> y(n), inv(static_cast<size_t>(rows)), dx(n), dw(static_cast<size_t>(C));
    rms_norm_forward_ref(xf.data(), nullptr, wf.data(), rows, C, static_cast<float>(eps), y.data(), inv.data());
    rms_norm_backward_ref(gf.data(), xf.data(), wf.data(), inv.data(), rows, C, dx.data(), dw.data());
    const double h = 1e-6;  // double central differences: truncation O(h^2), rounding ~1e-10/h
    for (size_t i = 0; i < n; ++i) {
      auto xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      const double fd = (loss(xp, w) - loss(xm, w)) / (2 * h);
      // the kernel is fp32 (inputs/outputs rounded): 1e-4 absolute + relative covers fp32 rounding
      EXPECT_NEAR(dx[i], fd, 1e-4 * (1 + std::abs(fd))) << "dx[" << i << "] rows=" << rows << " C=" << C;
    }
    for (size_t c = 0; c < static_cast<size_t>(C); ++c) {
      auto wp = w, wm = w;
      wp[c] += h;
      wm[c] -= h;
      const double fd = (loss(x, wp) - loss(x, wm)) / (2 * h);
      EXPECT_NEAR(dw[c], fd, 1e-4 * (1 + std::abs(fd))) << "dw[" << c << "]";
    }
  }
}

TEST(RmsNormGrad, DwIsDeterministic) {
  const int64_t rows = 123, C = 257;
  auto x = Random(rows * C, 21), w = Random(C, 22), dy = Random(rows * C, 23);
  std::vector<float> y(rows * C), inv(rows), dx(rows * C), dw1(C), dw2(C);
  rms_norm_forward_vec(x.data(), nullptr, w.data(), rows, C, 1e-5f, y.data(), inv.data());
  rms_norm_backward_vec(dy.data(), x.data(), w.data(), inv.data(), rows, C, dx.data(), dw1.data());
  rms_norm_backward_vec(dy.data(), x.data(), w.data(), inv.data(), rows, C, dx.data(), dw2.data());
  EXPECT_EQ(dw1, dw2);  // bitwise: the row reduction order is fixed
}
