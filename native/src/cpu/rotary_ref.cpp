// Reference rotary embedding (RoPE). HALF = HF rotate_half (pairs i, i + D/2); INTERLEAVED =
// llama2.c / Meta complex pairs (2i, 2i+1). Angle for frequency i at position p: either the caches
// cos_cache[p, i] / sin_cache[p, i] ([max_position, D/2], ORT RotaryEmbedding layout) or
// p * theta^(-2i/D) computed in double. Backward = rotation by the negative angle (sign = -1).
// Tests: native/tests/test_rotary.cpp.
#include <cmath>
#include "kernels.hpp"
#include "ref_templates.hpp"

namespace m42::cpu {

void rotary_ref(const float* x, float* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
                const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign) {
  rotary_ref_t<float>(x, y, rows, H, D, pos, cos_cache, sin_cache, theta, layout, sign);
}

}  // namespace m42::cpu
