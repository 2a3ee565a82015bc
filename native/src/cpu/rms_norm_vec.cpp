// Vectorised RMSNorm forward/backward: the math of rms_norm_ref.cpp with float partial sums in
// kLanes independent lanes (so the compiler vectorises the reductions without -ffast-math).
// dw stays deterministic: rows are visited in order and each column accumulates in double.
// Tests: native/tests/test_rms_norm.cpp (vs the reference).
#include <cmath>
#include <vector>
#include "kernels.hpp"
#include "simd.hpp"

namespace m42::cpu {
namespace {

M42_SIMD float sum_squares(const float* v, int64_t C) {
  float acc[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= C; c += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += v[c + l] * v[c + l];
  float s = 0.f;
  for (; c < C; ++c) s += v[c] * v[c];
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

M42_SIMD void add_inplace(const float* x, float* r, int64_t C) {
  for (int64_t c = 0; c < C; ++c) r[c] += x[c];
}

M42_SIMD void scale_mul(const float* v, float inv, const float* w, float* y, int64_t C) {
  for (int64_t c = 0; c < C; ++c) y[c] = v[c] * inv * w[c];
}

M42_SIMD float dot3(const float* a, const float* b, const float* c3, int64_t C) {
  float acc[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= C; c += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += a[c + l] * b[c + l] * c3[c + l];
  float s = 0.f;
  for (; c < C; ++c) s += a[c] * b[c] * c3[c];
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

M42_SIMD void backward_row(const float* g, const float* x, const float* w, float inv, float mean, int64_t C,
                           float* dx, double* dw) {
  for (int64_t c = 0; c < C; ++c) {
    const float xhat = x[c] * inv;
    dx[c] = inv * (w[c] * g[c] - xhat * mean);
    dw[c] += static_cast<double>(g[c] * xhat);
  }
}

}  // namespace

void rms_norm_forward_vec(const float* x, float* residual, const float* w, int64_t rows, int64_t C, float eps,
                          float* y, float* inv_rms) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * C;
    if (residual) {
      add_inplace(src, residual + r * C, C);
      src = residual + r * C;
    }
    const float inv = 1.0f / std::sqrt(sum_squares(src, C) / static_cast<float>(C) + eps);
    inv_rms[r] = inv;
    scale_mul(src, inv, w, y + r * C, C);
  }
}

void rms_norm_backward_vec(const float* dy, const float* x, const float* w, const float* inv_rms, int64_t rows,
                           int64_t C, float* dx, float* dw) {
  std::vector<double> acc(static_cast<size_t>(C), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = inv_rms[r];
    const float mean = dot3(w, dy + r * C, x + r * C, C) * inv / static_cast<float>(C);
    backward_row(dy + r * C, x + r * C, w, inv, mean, C, dx + r * C, acc.data());
  }
  for (int64_t c = 0; c < C; ++c) dw[c] = static_cast<float>(acc[static_cast<size_t>(c)]);
}

}  // namespace m42::cpu
