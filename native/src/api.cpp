// The exported CPU entry points of med42.h: validate every argument, pick the reference or the
// vectorised kernel from the context, and convert exceptions to statuses (M42_TRY/M42_CATCH).
#include <cmath>
#include <string>
#include "cpu/kernels.hpp"
#include "status.hpp"

namespace m42 {

void check_int4_shape(const char* fn, int64_t N, int64_t K, int64_t block) {
  require_positive(fn, N, "N");
  require_positive(fn, K, "K");
  if (block != 16 && block != 32 && block != 64 && block != 128)
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": block must be 16, 32, 64 or 128 (got " + std::to_string(block) + ")");
  if (K % block != 0)
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": K (" + std::to_string(K) + ") is not divisible by block (" +
                                          std::to_string(block) + ")");
}

void check_rotary(const char* fn, int64_t rows, int64_t H, int64_t D, const float* cos_cache, const float* sin_cache,
                  int64_t max_position, float theta, m42_rotary_layout layout) {
  require_positive(fn, rows, "rows");
  require_positive(fn, H, "H");
  require_positive(fn, D, "D");
  if (D % 2 != 0) throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": D must be even (got " + std::to_string(D) + ")");
  if (layout != M42_ROTARY_HALF && layout != M42_ROTARY_INTERLEAVED)
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": unknown layout " + std::to_string(static_cast<int>(layout)));
  if ((cos_cache == nullptr) != (sin_cache == nullptr))
    throw Error(M42_NULL_POINTER, std::string(fn) + ": cos_cache and sin_cache must both be given or both be null");
  require_aligned(fn, cos_cache, alignof(float), "cos_cache");
  require_aligned(fn, sin_cache, alignof(float), "sin_cache");
  if (cos_cache) require_positive(fn, max_position, "max_position");
  else if (!(theta > 0.f) || !std::isfinite(theta))
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": theta must be finite and > 0 when no cache is given");
}

void check_adamw(const char* fn, int64_t n, float lr, float b1, float b2, float eps, int64_t step, m42_dtype copy_dtype,
                 const void* copy_out) {
  require_positive(fn, n, "n");
  require_positive(fn, step, "step");
  if (!(b1 >= 0.f && b1 < 1.f) || !(b2 >= 0.f && b2 < 1.f))
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": beta1 and beta2 must be in [0, 1)");
  if (!(eps > 0.f) || !std::isfinite(lr)) throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": eps must be > 0 and lr finite");
  if (copy_out != nullptr && copy_dtype != M42_F16 && copy_dtype != M42_BF16)
    throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": copy_dtype must be F16 or BF16 when copy_out is given");
  require_aligned(fn, copy_out, 2, "copy_out");
}

}  // namespace m42

namespace {

using namespace m42;

bool use_reference(const char* fn, const m42_context* ctx) {
  require_ptr(fn, ctx, "ctx");
  return ctx->kernels == M42_KERNELS_REFERENCE;
}

void check_positions(const char* fn, const int64_t* pos, int64_t rows, const float* cos_cache, int64_t max_position) {
  require_buffer(fn, pos, alignof(int64_t), "position_ids");
  for (int64_t r = 0; r < rows; ++r) {
    if (pos[r] < 0 || (cos_cache != nullptr && pos[r] >= max_position))
      throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": position_ids[" + std::to_string(r) + "] = " +
                                            std::to_string(pos[r]) + " is outside [0, max_position)");
  }
}

m42_status* rotary(const char* fn, const m42_context* ctx, const float* x, float* y, int64_t rows, int64_t H,
                   int64_t D, const int64_t* pos, const float* cos_cache, const float* sin_cache, int64_t max_position,
                   float theta, m42_rotary_layout layout, int sign) {
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, x, alignof(float), sign > 0 ? "x" : "dy");
  require_buffer(fn, y, alignof(float), sign > 0 ? "y" : "dx");
  check_rotary(fn, rows, H, D, cos_cache, sin_cache, max_position, theta, layout);
  check_positions(fn, pos, rows, cos_cache, max_position);
  (ref ? cpu::rotary_ref : cpu::rotary_vec)(x, y, rows, H, D, pos, cos_cache, sin_cache, theta, layout, sign);
  M42_CATCH
}

void check_int4(const char* fn, const uint8_t* b, const float* scales, int64_t N, int64_t K, int64_t block) {
  require_ptr(fn, b, "b");
  require_buffer(fn, scales, alignof(float), "scales");
  check_int4_shape(fn, N, K, block);
}

}  // namespace

extern "C" {

M42_EXPORT int32_t m42_api_version(void) { return M42_API_VERSION; }

M42_EXPORT m42_code m42_status_code(const m42_status* status) { return status ? status->code : M42_OK; }

M42_EXPORT const char* m42_status_message(const m42_status* status) { return status ? status->message.c_str() : ""; }

M42_EXPORT void m42_status_free(m42_status* status) {
  if (status != oom_status()) delete status;
}

M42_EXPORT m42_status* m42_context_create(m42_kernels kernels, m42_context** out) {
  M42_TRY
  require_ptr("m42_context_create", out, "out");
  *out = nullptr;
  if (kernels != M42_KERNELS_AUTO && kernels != M42_KERNELS_REFERENCE && kernels != M42_KERNELS_VECTORISED)
    throw Error(M42_INVALID_ARGUMENT, "m42_context_create: unknown kernels " + std::to_string(static_cast<int>(kernels)));
  *out = new m42_context{kernels};
  M42_CATCH
}

M42_EXPORT void m42_context_free(m42_context* context) { delete context; }

M42_EXPORT m42_status* m42_rms_norm_forward(const m42_context* ctx, const float* x, float* residual, const float* w,
                                            int64_t rows, int64_t C, float eps, float* y, float* inv_rms) {
  const char* fn = "m42_rms_norm_forward";
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, x, alignof(float), "x");
  require_aligned(fn, residual, alignof(float), "residual");
  require_buffer(fn, w, alignof(float), "w");
  require_buffer(fn, y, alignof(float), "y");
  require_buffer(fn, inv_rms, alignof(float), "inv_rms");
  require_positive(fn, rows, "rows");
  require_positive(fn, C, "C");
  if (!(eps >= 0.f)) throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": eps must be >= 0");
  (ref ? cpu::rms_norm_forward_ref : cpu::rms_norm_forward_vec)(x, residual, w, rows, C, eps, y, inv_rms);
  M42_CATCH
}

M42_EXPORT m42_status* m42_rms_norm_backward(const m42_context* ctx, const float* dy, const float* x, const float* w,
                                             const float* inv_rms, int64_t rows, int64_t C, float* dx, float* dw) {
  const char* fn = "m42_rms_norm_backward";
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, dy, alignof(float), "dy");
  require_buffer(fn, x, alignof(float), "x");
  require_buffer(fn, w, alignof(float), "w");
  require_buffer(fn, inv_rms, alignof(float), "inv_rms");
  require_buffer(fn, dx, alignof(float), "dx");
  require_buffer(fn, dw, alignof(float), "dw");
  require_positive(fn, rows, "rows");
  require_positive(fn, C, "C");
  (ref ? cpu::rms_norm_backward_ref : cpu::rms_norm_backward_vec)(dy, x, w, inv_rms, rows, C, dx, dw);
  M42_CATCH
}

M42_EXPORT m42_status* m42_rotary_forward(const m42_context* ctx, const float* x, float* y, int64_t rows, int64_t H,
                                          int64_t D, const int64_t* position_ids, const float* cos_cache,
                                          const float* sin_cache, int64_t max_position, float theta,
                                          m42_rotary_layout layout) {
  return rotary("m42_rotary_forward", ctx, x, y, rows, H, D, position_ids, cos_cache, sin_cache, max_position, theta,
                layout, +1);
}

M42_EXPORT m42_status* m42_rotary_backward(const m42_context* ctx, const float* dy, float* dx, int64_t rows, int64_t H,
                                           int64_t D, const int64_t* position_ids, const float* cos_cache,
                                           const float* sin_cache, int64_t max_position, float theta,
                                           m42_rotary_layout layout) {
  return rotary("m42_rotary_backward", ctx, dy, dx, rows, H, D, position_ids, cos_cache, sin_cache, max_position, theta,
                layout, -1);
}

M42_EXPORT m42_status* m42_dequant_int4(const m42_context* ctx, const uint8_t* b, const float* scales,
                                        const uint8_t* zero_points, int64_t N, int64_t K, int64_t block, float* w) {
  const char* fn = "m42_dequant_int4";
  M42_TRY
  use_reference(fn, ctx);  // one implementation: dequantisation is a pure unpack (the vectorised paths fuse it)
  check_int4(fn, b, scales, N, K, block);
  require_buffer(fn, w, alignof(float), "w");
  cpu::dequant_int4_ref(b, scales, zero_points, N, K, block, w);
  M42_CATCH
}

M42_EXPORT m42_status* m42_matvec_int4(const m42_context* ctx, const float* x, const uint8_t* b, const float* scales,
                                       const uint8_t* zero_points, int64_t N, int64_t K, int64_t block, float* y) {
  const char* fn = "m42_matvec_int4";
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, x, alignof(float), "x");
  check_int4(fn, b, scales, N, K, block);
  require_buffer(fn, y, alignof(float), "y");
  (ref ? cpu::matvec_int4_ref : cpu::matvec_int4_vec)(x, b, scales, zero_points, N, K, block, y);
  M42_CATCH
}

M42_EXPORT m42_status* m42_gemm_int4(const m42_context* ctx, const float* a, const uint8_t* b, const float* scales,
                                     const uint8_t* zero_points, int64_t M, int64_t N, int64_t K, int64_t block,
                                     float* y) {
  const char* fn = "m42_gemm_int4";
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, a, alignof(float), "a");
  require_positive(fn, M, "M");
  check_int4(fn, b, scales, N, K, block);
  require_buffer(fn, y, alignof(float), "y");
  (ref ? cpu::gemm_int4_ref : cpu::gemm_int4_vec)(a, b, scales, zero_points, M, N, K, block, y);
  M42_CATCH
}

M42_EXPORT m42_status* m42_adamw_step(const m42_context* ctx, float* param, const float* grad, float* m, float* v,
                                      int64_t n, float lr, float beta1, float beta2, float eps, float weight_decay,
                                      int64_t step, m42_dtype copy_dtype, void* copy_out) {
  const char* fn = "m42_adamw_step";
  M42_TRY
  const bool ref = use_reference(fn, ctx);
  require_buffer(fn, param, alignof(float), "param");
  require_buffer(fn, grad, alignof(float), "grad");
  require_buffer(fn, m, alignof(float), "m");
  require_buffer(fn, v, alignof(float), "v");
  check_adamw(fn, n, lr, beta1, beta2, eps, step, copy_dtype, copy_out);
  (ref ? cpu::adamw_ref : cpu::adamw_vec)(param, grad, m, v, n, lr, beta1, beta2, eps, weight_decay, step, copy_dtype,
                                          copy_out);
  M42_CATCH
}

}  // extern "C"
