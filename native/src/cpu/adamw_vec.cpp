// Vectorised AdamW step: the update of adamw_ref.cpp in float with the bias corrections hoisted,
// one pass over param/grad/m/v. Tests: native/tests/test_adamw.cpp (vs the reference).
#include <cmath>
#include "kernels.hpp"
#include "simd.hpp"

namespace m42::cpu {
namespace {

M42_SIMD void adamw_body(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2,
                         float eps, float wd, float inv_bc1, float inv_sqrt_bc2) {
  const float decay = 1.0f - lr * wd;
  for (int64_t i = 0; i < n; ++i) {
    const float mi = b1 * m[i] + (1.0f - b1) * g[i];
    const float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - lr * (mi * inv_bc1) / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
  }
}

}  // namespace

void adamw_vec(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps,
               float wd, int64_t step, m42_dtype copy_dtype, void* copy_out) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(step));
  adamw_body(p, g, m, v, n, lr, b1, b2, eps, wd, static_cast<float>(1.0 / bc1), static_cast<float>(1.0 / std::sqrt(bc2)));
  if (copy_out) {
    auto* out = static_cast<uint16_t*>(copy_out);
    for (int64_t i = 0; i < n; ++i) out[i] = copy_dtype == M42_BF16 ? float_to_bf16_bits(p[i]) : float_to_half_bits(p[i]);
  }
}

}  // namespace m42::cpu
