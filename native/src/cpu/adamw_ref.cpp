// Reference AdamW step, the update of PyTorch torch.optim.AdamW (decoupled weight decay, bias
// correction) computed in double per element, plus the fp16/bf16 rounding helpers.
// Tests: native/tests/test_adamw.cpp.
#include <cmath>
#include <cstring>
#include "kernels.hpp"

namespace m42::cpu {

uint16_t float_to_bf16_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7FFFu + ((u >> 16) & 1u);  // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}

float bf16_bits_to_float(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t float_to_half_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t absu = u & 0x7FFFFFFFu;
  if (absu > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);  // NaN
  if (absu >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // overflow (incl. rounding up) -> inf
  if (absu < 0x38800000u) {  // subnormal or zero in half: scale by 2^24 and round
    float af;
    std::memcpy(&af, &absu, 4);
    const float scaled = af * 16777216.0f;  // exact: half subnormal unit is 2^-24
    const uint32_t q = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | q);
  }
  const uint32_t exp = ((absu >> 23) - 112u) << 10;
  uint32_t mant = absu & 0x7FFFFFu;
  uint32_t h = exp | (mant >> 13);
  const uint32_t rest = mant & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // nearest even; carry may bump exponent
  return static_cast<uint16_t>(sign | h);
}

float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    f = mant ? NAN : INFINITY;
  } else {
    f = std::ldexp(static_cast<float>(mant | 0x400u), static_cast<int>(exp) - 25);
  }
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u |= sign;
  std::memcpy(&f, &u, 4);
  return f;
}

void adamw_ref(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps,
               float wd, int64_t step, m42_dtype copy_dtype, void* copy_out) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(step));
  for (int64_t i = 0; i < n; ++i) {
    double pi = p[i];
    pi -= static_cast<double>(lr) * wd * pi;  // decoupled weight decay (before the Adam update, as PyTorch)
    const double mi = static_cast<double>(b1) * m[i] + (1.0 - b1) * g[i];
    const double vi = static_cast<double>(b2) * v[i] + (1.0 - b2) * static_cast<double>(g[i]) * g[i];
    pi -= static_cast<double>(lr) * (mi / bc1) / (std::sqrt(vi / bc2) + eps);
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    p[i] = static_cast<float>(pi);
    if (copy_out) {
      auto* out = static_cast<uint16_t*>(copy_out);
      out[i] = copy_dtype == M42_BF16 ? float_to_bf16_bits(p[i]) : float_to_half_bits(p[i]);
    }
  }
}

}  // namespace m42::cpu
