// Shared helpers of the native GoogleTests: deterministic random data and error measures.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace m42test {

inline std::vector<float> Random(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

inline std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(gen() & 0xFF);
  return v;
}

// max |a - b| / (atol_floor + |b|): a relative error that stays finite near zero.
template <typename A, typename B>
double MaxRelErr(const A& a, const B& b, double floor = 1e-3) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) / (floor + std::abs(static_cast<double>(b[i]))));
  return worst;
}

template <typename A, typename B>
double MaxAbsErr(const A& a, const B& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  return worst;
}

}  // namespace m42test
