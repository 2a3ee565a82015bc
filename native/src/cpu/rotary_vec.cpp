// Vectorised rotary embedding: the math of rotary_ref.cpp with the row's cos/sin gathered once
// (theta path: inv_freq computed once, identical formula) and the per-head loop over contiguous
// halves (HALF) or even/odd pairs (INTERLEAVED) left to the vectoriser.
// Tests: native/tests/test_rotary.cpp (vs the reference).
#include <cmath>
#include <vector>
#include "kernels.hpp"
#include "simd.hpp"

namespace m42::cpu {
namespace {

M42_SIMD void rotate_half(const float* x, float* y, const float* c, const float* s, int64_t half) {
  for (int64_t i = 0; i < half; ++i) {
    const float a = x[i], b = x[i + half];
    y[i] = a * c[i] - b * s[i];
    y[i + half] = b * c[i] + a * s[i];
  }
}

M42_SIMD void rotate_pairs(const float* x, float* y, const float* c, const float* s, int64_t half) {
  for (int64_t i = 0; i < half; ++i) {
    const float a = x[2 * i], b = x[2 * i + 1];
    y[2 * i] = a * c[i] - b * s[i];
    y[2 * i + 1] = b * c[i] + a * s[i];
  }
}

}  // namespace

void rotary_vec(const float* x, float* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
                const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign) {
  const int64_t half = D / 2;
  std::vector<double> inv_freq(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i)
    inv_freq[static_cast<size_t>(i)] = std::pow(static_cast<double>(theta), -2.0 * static_cast<double>(i) / static_cast<double>(D));
  std::vector<float> c(static_cast<size_t>(half)), s(static_cast<size_t>(half));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = pos[r];
    for (int64_t i = 0; i < half; ++i) {
      const auto u = static_cast<size_t>(i);
      if (cos_cache) {
        c[u] = cos_cache[p * half + i];
        s[u] = sin_cache[p * half + i];
      } else {
        const double angle = static_cast<double>(p) * inv_freq[u];
        c[u] = static_cast<float>(std::cos(angle));
        s[u] = static_cast<float>(std::sin(angle));
      }
      s[u] *= static_cast<float>(sign);
    }
    for (int64_t h = 0; h < H; ++h) {
      const float* xh = x + (r * H + h) * D;
      float* yh = y + (r * H + h) * D;
      if (layout == M42_ROTARY_HALF) rotate_half(xh, yh, c.data(), s.data(), half);
      else rotate_pairs(xh, yh, c.data(), s.data(), half);
    }
  }
}

}  // namespace m42::cpu
