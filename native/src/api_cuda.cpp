// The exported m42_cuda_* entry points: the same validation as the CPU API (device pointers are only
// checked for null and alignment — their contents are never read on the host), then the launchers
// of src/cuda/. Built without CUDA (MED42_WITH_CUDA undefined) each returns M42_UNSUPPORTED, so the
// exported symbol set is the same in every build.
#include <string>
#include "status.hpp"
#ifdef MED42_WITH_CUDA
#include "cuda/launch.hpp"
#define M42_CUDA_CALL(expr) expr
#else
#define M42_CUDA_CALL(expr) throw Error(M42_UNSUPPORTED, std::string(fn) + ": this build of libmed42_native has no CUDA")
#endif

namespace {
using namespace m42;

size_t dtype_align(const char* fn, m42_dtype dt) {
  switch (dt) {
    case M42_F32: return 4;
    case M42_F16:
    case M42_BF16: return 2;
  }
  throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": unknown dtype " + std::to_string(static_cast<int>(dt)));
}
}  // namespace

extern "C" {

M42_EXPORT int32_t m42_cuda_available(void) {
#ifdef MED42_WITH_CUDA
  try {
    return cuda::device_count() > 0 ? 1 : 0;
  } catch (...) {
    return 0;
  }
#else
  return 0;
#endif
}

M42_EXPORT m42_status* m42_cuda_rms_norm_forward(void* stream, m42_dtype dtype, const void* x, void* residual,
                                                 const void* w, int64_t rows, int64_t C, float eps, void* y,
                                                 float* inv_rms) {
  const char* fn = "m42_cuda_rms_norm_forward";
  M42_TRY
  const size_t a = dtype_align(fn, dtype);
  require_buffer(fn, x, a, "x");
  require_aligned(fn, residual, a, "residual");
  require_buffer(fn, w, a, "w");
  require_buffer(fn, y, a, "y");
  require_buffer(fn, inv_rms, 4, "inv_rms");
  require_positive(fn, rows, "rows");
  require_positive(fn, C, "C");
  (void)stream; (void)eps;
  M42_CUDA_CALL(cuda::rms_norm_forward(stream, dtype, x, residual, w, rows, C, eps, y, inv_rms));
  M42_CATCH
}

M42_EXPORT m42_status* m42_cuda_rms_norm_backward(void* stream, m42_dtype dtype, const void* dy, const void* x,
                                                  const void* w, const float* inv_rms, int64_t rows, int64_t C,
                                                  void* dx, void* dw, float* dw_partial) {
  const char* fn = "m42_cuda_rms_norm_backward";
  M42_TRY
  const size_t a = dtype_align(fn, dtype);
  require_buffer(fn, dy, a, "dy");
  require_buffer(fn, x, a, "x");
  require_buffer(fn, w, a, "w");
  require_buffer(fn, inv_rms, 4, "inv_rms");
  require_buffer(fn, dx, a, "dx");
  require_buffer(fn, dw, a, "dw");
  require_buffer(fn, dw_partial, 4, "dw_partial");
  require_positive(fn, rows, "rows");
  require_positive(fn, C, "C");
  (void)stream;
  M42_CUDA_CALL(cuda::rms_norm_backward(stream, dtype, dy, x, w, inv_rms, rows, C, dx, dw, dw_partial));
  M42_CATCH
}

static m42_status* cuda_rotary(const char* fn, void* stream, m42_dtype dtype, const void* x, void* y, int64_t rows,
                               int64_t H, int64_t D, const int64_t* pos, const float* cos_cache,
                               const float* sin_cache, int64_t max_position, float theta, m42_rotary_layout layout,
                               int sign) {
  M42_TRY
  const size_t a = dtype_align(fn, dtype);
  require_buffer(fn, x, a, sign > 0 ? "x" : "dy");
  require_buffer(fn, y, a, sign > 0 ? "y" : "dx");
  require_buffer(fn, pos, 8, "position_ids");
  check_rotary(fn, rows, H, D, cos_cache, sin_cache, max_position, theta, layout);
  (void)stream;
  M42_CUDA_CALL(cuda::rotary(stream, dtype, x, y, rows, H, D, pos, cos_cache, sin_cache, theta, layout, sign));
  M42_CATCH
}

M42_EXPORT m42_status* m42_cuda_rotary_forward(void* stream, m42_dtype dtype, const void* x, void* y, int64_t rows,
                                               int64_t H, int64_t D, const int64_t* position_ids,
                                               const float* cos_cache, const float* sin_cache, int64_t max_position,
                                               float theta, m42_rotary_layout layout) {
  return cuda_rotary("m42_cuda_rotary_forward", stream, dtype, x, y, rows, H, D, position_ids, cos_cache, sin_cache,
                     max_position, theta, layout, +1);
}

M42_EXPORT m42_status* m42_cuda_rotary_backward(void* stream, m42_dtype dtype, const void* dy, void* dx, int64_t rows,
                                                int64_t H, int64_t D, const int64_t* position_ids,
                                                const float* cos_cache, const float* sin_cache, int64_t max_position,
                                                float theta, m42_rotary_layout layout) {
  return cuda_rotary("m42_cuda_rotary_backward", stream, dtype, dy, dx, rows, H, D, position_ids, cos_cache,
                     sin_cache, max_position, theta, layout, -1);
}

M42_EXPORT m42_status* m42_cuda_dequant_int4(void* stream, m42_dtype dtype, const uint8_t* b, const float* scales,
                                             const uint8_t* zero_points, int64_t N, int64_t K, int64_t block,
                                             void* w) {
  const char* fn = "m42_cuda_dequant_int4";
  M42_TRY
  const size_t a = dtype_align(fn, dtype);
  require_ptr(fn, b, "b");
  require_buffer(fn, scales, 4, "scales");
  check_int4_shape(fn, N, K, block);
  require_buffer(fn, w, a, "w");
  (void)stream; (void)zero_points;
  M42_CUDA_CALL(cuda::dequant_int4(stream, dtype, b, scales, zero_points, N, K, block, w));
  M42_CATCH
}

M42_EXPORT m42_status* m42_cuda_matvec_int4(void* stream, m42_dtype dtype, const void* x, const uint8_t* b,
                                            const float* scales, const uint8_t* zero_points, int64_t N, int64_t K,
                                            int64_t block, void* y) {
  const char* fn = "m42_cuda_matvec_int4";
  M42_TRY
  const size_t a = dtype_align(fn, dtype);
  require_buffer(fn, x, a, "x");
  require_ptr(fn, b, "b");
  require_buffer(fn, scales, 4, "scales");
  check_int4_shape(fn, N, K, block);
  require_buffer(fn, y, a, "y");
  (void)stream; (void)zero_points;
  M42_CUDA_CALL(cuda::matvec_int4(stream, dtype, x, b, scales, zero_points, N, K, block, y));
  M42_CATCH
}

M42_EXPORT m42_status* m42_cuda_gemm_int4(void* stream, m42_dtype dtype, const void* a, const uint8_t* b,
                                          const float* scales, const uint8_t* zero_points, int64_t M, int64_t N,
                                          int64_t K, int64_t block, void* w_scratch, void* y) {
  const char* fn = "m42_cuda_gemm_int4";
  M42_TRY
  const size_t al = dtype_align(fn, dtype);
  require_buffer(fn, a, al, "a");
  require_ptr(fn, b, "b");
  require_buffer(fn, scales, 4, "scales");
  require_positive(fn, M, "M");
  check_int4_shape(fn, N, K, block);
  require_buffer(fn, w_scratch, al, "w_scratch");
  require_buffer(fn, y, al, "y");
  (void)stream; (void)zero_points;
  M42_CUDA_CALL((cuda::dequant_int4(stream, dtype, b, scales, zero_points, N, K, block, w_scratch),
                 cuda::gemm(stream, dtype, a, w_scratch, M, N, K, y)));
  M42_CATCH
}

M42_EXPORT m42_status* m42_cuda_adamw_step(void* stream, float* param, const float* grad, float* m, float* v, int64_t n,
                                           float lr, float beta1, float beta2, float eps, float weight_decay,
                                           int64_t step, m42_dtype copy_dtype, void* copy_out) {
  const char* fn = "m42_cuda_adamw_step";
  M42_TRY
  require_buffer(fn, param, 4, "param");
  require_buffer(fn, grad, 4, "grad");
  require_buffer(fn, m, 4, "m");
  require_buffer(fn, v, 4, "v");
  check_adamw(fn, n, lr, beta1, beta2, eps, step, copy_dtype, copy_out);
  (void)stream; (void)weight_decay;
  M42_CUDA_CALL(cuda::adamw(stream, param, grad, m, v, n, lr, beta1, beta2, eps, weight_decay, step, copy_dtype,
                            copy_out));
  M42_CATCH
}

}  // extern "C"
