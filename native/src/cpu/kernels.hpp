// Internal CPU kernels behind the C ABI: *_ref are the readable references (ground truth, double
// accumulation where it matters); *_vec are the vectorised versions (GCC target_clones dispatches
// AVX-512 / AVX2 / baseline at load time). Arguments are validated by api.cpp before these run.
#pragma once
#include <cstdint>
#include "med42.h"

namespace m42::cpu {

void rms_norm_forward_ref(const float* x, float* residual, const float* w, int64_t rows, int64_t C, float eps,
                          float* y, float* inv_rms);
void rms_norm_backward_ref(const float* dy, const float* x, const float* w, const float* inv_rms, int64_t rows,
                           int64_t C, float* dx, float* dw);
void rms_norm_forward_vec(const float* x, float* residual, const float* w, int64_t rows, int64_t C, float eps,
                          float* y, float* inv_rms);
void rms_norm_backward_vec(const float* dy, const float* x, const float* w, const float* inv_rms, int64_t rows,
                           int64_t C, float* dx, float* dw);

// sign = +1 forward rotation, -1 inverse (the backward).
void rotary_ref(const float* x, float* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
                const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign);
void rotary_vec(const float* x, float* y, int64_t rows, int64_t H, int64_t D, const int64_t* pos,
                const float* cos_cache, const float* sin_cache, float theta, m42_rotary_layout layout, int sign);

// Zero point of block j of row n (packed nibbles; 8 when zero_points is null).
inline int int4_zero_point(const uint8_t* zp, int64_t n, int64_t blocks, int64_t j) {
  if (zp == nullptr) return 8;
  const uint8_t byte = zp[n * ((blocks + 1) / 2) + j / 2];
  return (j % 2 == 0) ? (byte & 0x0F) : (byte >> 4);
}
void dequant_int4_ref(const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N, int64_t K,
                      int64_t block, float* w);
void matvec_int4_ref(const float* x, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                     int64_t K, int64_t block, float* y);
void gemm_int4_ref(const float* a, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t M,
                   int64_t N, int64_t K, int64_t block, float* y);
void matvec_int4_vec(const float* x, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                     int64_t K, int64_t block, float* y);
void gemm_int4_vec(const float* a, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t M,
                   int64_t N, int64_t K, int64_t block, float* y);

void adamw_ref(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps,
               float wd, int64_t step, m42_dtype copy_dtype, void* copy_out);
void adamw_vec(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps,
               float wd, int64_t step, m42_dtype copy_dtype, void* copy_out);

// Round-to-nearest-even float -> half / bfloat16 bits (NaN kept quiet), shared with the tests.
uint16_t float_to_half_bits(float f);
uint16_t float_to_bf16_bits(float f);
float half_bits_to_float(uint16_t h);
float bf16_bits_to_float(uint16_t h);

}  // namespace m42::cpu
