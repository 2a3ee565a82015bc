// M42_SIMD: compile one function for AVX-512, AVX2+FMA and baseline x86-64 and let the loader pick
// (GCC/Clang target_clones, an ifunc resolved once at load time by CPUID). Elsewhere a no-op.
#pragma once
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define M42_SIMD __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define M42_SIMD
#endif
// Lanes of the explicit partial sums: wide enough for one AVX-512 register of floats.
constexpr int kLanes = 16;
