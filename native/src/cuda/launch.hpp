// Host-side launchers of the CUDA kernels (native/src/cuda/*.cu), called by api_cuda.cpp after
// argument validation. Streams travel as void* so this header needs no CUDA include; each launcher
// throws m42::Error(M42_CUDA_ERROR, ...) when a launch fails.
#pragma once
#include <cstdint>
#include "med42.h"

namespace m42::cuda {

int device_count();
void rms_norm_forward(void* stream, m42_dtype dt, const void* x, void* residual, const void* w, int64_t rows,
                      int64_t C, float eps, void* y, float* inv_rms);
void rms_norm_backward(void* stream, m42_dtype dt, const void* dy, const void* x, const void* w, const float* inv_rms,
                       int64_t rows, int64_t C, void* dx, void* dw, float* dw_partial);
void rotary(void* stream, m42_dtype dt, const void* x, void* y, int64_t rows, int64_t H, int64_t D,
            const int64_t* pos, const float* cos_cache, const float* sin_cache, float theta,
            m42_rotary_layout layout, int sign);
void dequant_int4(void* stream, m42_dtype dt, const uint8_t* b, const float* scales, const uint8_t* zp, int64_t N,
                  int64_t K, int64_t block, void* w);
void matvec_int4(void* stream, m42_dtype dt, const void* x, const uint8_t* b, const float* scales, const uint8_t* zp,
                 int64_t N, int64_t K, int64_t block, void* y);
void gemm(void* stream, m42_dtype dt, const void* a, const void* w, int64_t M, int64_t N, int64_t K, void* y);
void adamw(void* stream, float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2,
           float eps, float wd, int64_t step, m42_dtype copy_dtype, void* copy_out);

}  // namespace m42::cuda
