// Forward references as templates: float is the library's ground truth, double feeds the
// central finite differences that check the backward kernels (native/tests).
#pragma once
#include <cmath>
#include <cstdint>
#include "med42.h"

namespace m42::cpu {

template <typename T>
void rms_norm_forward_ref_t(const T* x, T* residual, const T* w, int64_t rows, int64_t C, double eps, T* y,
                            T* inv_rms) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * C;
    T* rr = residual ? residual + r * C : nullptr;
    double ss = 0.0;
    for (int64_t c = 0; c < C; ++c) {
      // Fused residual: the normalised input is x + residual, written back to residual.
      const T v = rr ? xr[c] + rr[c] : xr[c];
      if (rr) rr[c] = v;
      ss += static_cast<double>(v) * v;
    }
    const T inv = static_cast<T>(1.0 / std::sqrt(ss / static_cast<double>(C) + eps));
    inv_rms[r] = inv;
    const T* src = rr ? rr : xr;
    for (int64_t c = 0; c < C; ++c) y[r * C + c] = src[c] * inv * w[c];
  }
}

template <typename T>
void rotary_ref_t(const T* x, T* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
                const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign) {
  const int64_t half = D / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = pos[r];
    for (int64_t i = 0; i < half; ++i) {
      T c, s;
      if (cos_cache) {
        c = cos_cache[p * half + i];
        s = sin_cache[p * half + i];
      } else {
        const double inv_freq = std::pow(static_cast<double>(theta), -2.0 * static_cast<double>(i) / static_cast<double>(D));
        const double angle = static_cast<double>(p) * inv_freq;
        c = static_cast<T>(std::cos(angle));
        s = static_cast<T>(std::sin(angle));
      }
      s *= static_cast<T>(sign);
      for (int64_t h = 0; h < H; ++h) {
        const T* xh = x + (r * H + h) * D;
        T* yh = y + (r * H + h) * D;
        const int64_t i0 = layout == M42_ROTARY_HALF ? i : 2 * i;
        const int64_t i1 = layout == M42_ROTARY_HALF ? i + half : 2 * i + 1;
        const T a = xh[i0], b = xh[i1];  // read both before writing: y may alias x
        yh[i0] = a * c - b * s;
        yh[i1] = b * c + a * s;
      }
    }
  }
}

}  // namespace m42::cpu
