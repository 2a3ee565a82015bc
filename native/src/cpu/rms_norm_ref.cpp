// Reference RMSNorm forward/backward (the ground truth for the vectorised, CUDA and ORT paths).
// Matches HF LlamaRMSNorm: y = x * rsqrt(mean(x^2) + eps) * w, and its analytic gradient
//   dx = inv * (w*dy - xhat * mean(w*dy*xhat)),  dw = sum_rows dy * xhat,  xhat = x * inv.
// Sums accumulate in double; dw is reduced row by row in index order (deterministic).
// Tests: native/tests/test_rms_norm.cpp.
#include <cmath>
#include <vector>
#include "kernels.hpp"
#include "ref_templates.hpp"

namespace m42::cpu {

void rms_norm_forward_ref(const float* x, float* residual, const float* w, int64_t rows, int64_t C, float eps,
                          float* y, float* inv_rms) {
  rms_norm_forward_ref_t<float>(x, residual, w, rows, C, eps, y, inv_rms);
}

void rms_norm_backward_ref(const float* dy, const float* x, const float* w, const float* inv_rms, int64_t rows,
                           int64_t C, float* dx, float* dw) {
  std::vector<double> dw_acc(static_cast<size_t>(C), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* gr = dy + r * C;
    const double inv = inv_rms[r];
    double dot = 0.0;  // sum_c w*dy*xhat
    for (int64_t c = 0; c < C; ++c) dot += static_cast<double>(w[c]) * gr[c] * (xr[c] * inv);
    const double mean = dot / static_cast<double>(C);
    for (int64_t c = 0; c < C; ++c) {
      const double xhat = xr[c] * inv;
      dx[r * C + c] = static_cast<float>(inv * (static_cast<double>(w[c]) * gr[c] - xhat * mean));
      dw_acc[static_cast<size_t>(c)] += static_cast<double>(gr[c]) * xhat;
    }
  }
  for (int64_t c = 0; c < C; ++c) dw[c] = static_cast<float>(dw_acc[static_cast<size_t>(c)]);
}

}  // namespace m42::cpu
