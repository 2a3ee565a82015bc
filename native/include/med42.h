/*
 * med42.h — the C ABI of libmed42_native: fused RMSNorm, rotary embedding, int4 (MatMulNBits layout)
 * dequantisation / matvec / GEMM and a fused AdamW step. CPU functions take fp32 host buffers;
 * m42_cuda_* functions take device buffers, a cudaStream_t (as void*) and a dtype.
 *
 * Conventions (see ../../docs/native.md and the shared STYLE.md, point 7):
 *  - every fallible call returns m42_status*: NULL means success; otherwise the caller owns the status
 *    and must release it with m42_status_free (code + message stay valid until then);
 *  - no exception or abort crosses this boundary: each exported function has a try/catch shim;
 *  - only m42_* symbols are exported (hidden visibility by default plus a linker version script);
 *  - shapes use fixed letters: B batch, T time, H heads, D head dim, C model dim, N/K matrix dims;
 *  - float buffers must be 4-byte aligned, int64 buffers 8-byte, fp16/bf16 buffers 2-byte
 *    (M42_MISALIGNED otherwise); sizes are int64 and must be > 0 (M42_INVALID_ARGUMENT otherwise).
 */
#ifndef MED42_H
#define MED42_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(MED42_BUILDING)
#    define M42_EXPORT __declspec(dllexport)
#  else
#    define M42_EXPORT __declspec(dllimport)
#  endif
#else
#  define M42_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change; the managed loader refuses any other value. */
#define M42_API_VERSION 1

typedef enum m42_code {
  M42_OK = 0,
  M42_NULL_POINTER = 1,
  M42_INVALID_ARGUMENT = 2, /* zero/negative size, K % block != 0, unknown enum, position out of range */
  M42_MISALIGNED = 3,
  M42_UNSUPPORTED = 4,      /* e.g. a CUDA entry point in a CPU-only build */
  M42_CUDA_ERROR = 5,
  M42_OUT_OF_MEMORY = 6,
  M42_INTERNAL = 7
} m42_code;

typedef enum m42_dtype { M42_F32 = 0, M42_F16 = 1, M42_BF16 = 2 } m42_dtype;

/* HALF: HF rotate_half, pairs (i, i + D/2). INTERLEAVED: llama2.c / Meta, pairs (2i, 2i + 1). */
typedef enum m42_rotary_layout { M42_ROTARY_HALF = 0, M42_ROTARY_INTERLEAVED = 1 } m42_rotary_layout;

/* Which CPU implementation a context runs: AUTO = vectorised (the production path). */
typedef enum m42_kernels { M42_KERNELS_AUTO = 0, M42_KERNELS_REFERENCE = 1, M42_KERNELS_VECTORISED = 2 } m42_kernels;

typedef struct m42_status m42_status;   /* opaque; owned by the caller once returned */
typedef struct m42_context m42_context; /* opaque; CPU kernel selection */

M42_EXPORT int32_t m42_api_version(void);
M42_EXPORT int32_t m42_cuda_available(void); /* 1 when built with CUDA and a device is visible */

M42_EXPORT m42_code m42_status_code(const m42_status* status);
M42_EXPORT const char* m42_status_message(const m42_status* status); /* never NULL; "" for NULL status */
M42_EXPORT void m42_status_free(m42_status* status);                 /* NULL is a no-op */

M42_EXPORT m42_status* m42_context_create(m42_kernels kernels, m42_context** out);
M42_EXPORT void m42_context_free(m42_context* context); /* NULL is a no-op */

/* ---- CPU, fp32 ---------------------------------------------------------------------------- */

/* RMSNorm over the last axis of x [rows, C]: y = x / sqrt(mean(x^2) + eps) * w, inv_rms [rows].
 * residual (nullable) [rows, C]: fused add — residual += x, then the sum is normalised
 * (HF/vLLM fused_add_rms_norm); backward then sees the sum as "x". */
M42_EXPORT m42_status* m42_rms_norm_forward(const m42_context* ctx, const float* x, float* residual,
                                            const float* w, int64_t rows, int64_t C, float eps,
                                            float* y, float* inv_rms);
/* dx [rows, C]; dw [C] is overwritten (not accumulated) with the row sum, in a fixed order. */
M42_EXPORT m42_status* m42_rms_norm_backward(const m42_context* ctx, const float* dy, const float* x,
                                             const float* w, const float* inv_rms, int64_t rows,
                                             int64_t C, float* dx, float* dw);

/* Rotary embedding of x [rows, H, D] (rows = B*T) into y (y == x allowed) at position_ids [rows].
 * cos_cache/sin_cache [max_position, D/2] (both NULL: angles from theta, inv_freq_i = theta^(-2i/D)).
 * Backward applies the inverse rotation to dy. D must be even. */
M42_EXPORT m42_status* m42_rotary_forward(const m42_context* ctx, const float* x, float* y, int64_t rows,
                                          int64_t H, int64_t D, const int64_t* position_ids,
                                          const float* cos_cache, const float* sin_cache,
                                          int64_t max_position, float theta, m42_rotary_layout layout);
M42_EXPORT m42_status* m42_rotary_backward(const m42_context* ctx, const float* dy, float* dx, int64_t rows,
                                           int64_t H, int64_t D, const int64_t* position_ids,
                                           const float* cos_cache, const float* sin_cache,
                                           int64_t max_position, float theta, m42_rotary_layout layout);

/* int4 weights in ONNX Runtime MatMulNBits layout for W [N, K]:
 *   b [N, K/block, block/2] uint8, low nibble = even k; scales [N * K/block];
 *   zero_points (nullable) uint8 [N * ceil((K/block)/2)], low nibble = even block; default 8.
 *   W[n, k] = (q - zp) * scale. block in {16, 32, 64, 128}; K % block != 0 is an error. */
M42_EXPORT m42_status* m42_dequant_int4(const m42_context* ctx, const uint8_t* b, const float* scales,
                                        const uint8_t* zero_points, int64_t N, int64_t K, int64_t block,
                                        float* w /* [N, K] */);
/* y [N] = W x, x [K]. */
M42_EXPORT m42_status* m42_matvec_int4(const m42_context* ctx, const float* x, const uint8_t* b,
                                       const float* scales, const uint8_t* zero_points, int64_t N,
                                       int64_t K, int64_t block, float* y);
/* y [M, N] = a [M, K] · Wᵀ (MatMulNBits semantics). */
M42_EXPORT m42_status* m42_gemm_int4(const m42_context* ctx, const float* a, const uint8_t* b,
                                     const float* scales, const uint8_t* zero_points, int64_t M, int64_t N,
                                     int64_t K, int64_t block, float* y);

/* AdamW (PyTorch torch.optim.AdamW) in place on fp32 master weights param/m/v [n] at step >= 1:
 *   param -= lr*wd*param; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *   param -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
 * copy_out (nullable) [n] receives param rounded to copy_dtype (F16 or BF16, round-to-nearest-even). */
M42_EXPORT m42_status* m42_adamw_step(const m42_context* ctx, float* param, const float* grad, float* m,
                                      float* v, int64_t n, float lr, float beta1, float beta2, float eps,
                                      float weight_decay, int64_t step, m42_dtype copy_dtype, void* copy_out);

/* ---- CUDA (device buffers of dtype; inv_rms, scales, m, v and param stay fp32) ------------- */
/* All return M42_UNSUPPORTED in a build without CUDA. stream is a cudaStream_t (NULL = default). */

M42_EXPORT m42_status* m42_cuda_rms_norm_forward(void* stream, m42_dtype dtype, const void* x, void* residual,
                                                 const void* w, int64_t rows, int64_t C, float eps, void* y,
                                                 float* inv_rms);
/* dw_partial: fp32 scratch [ceil(rows / M42_RMS_NORM_BWD_ROWS), C]: each block sums its rows' dw there,
 * then a second pass reduces the partial rows in index order into dw (dtype) — deterministic. */
#define M42_RMS_NORM_BWD_ROWS 32
M42_EXPORT m42_status* m42_cuda_rms_norm_backward(void* stream, m42_dtype dtype, const void* dy, const void* x,
                                                  const void* w, const float* inv_rms, int64_t rows, int64_t C,
                                                  void* dx, void* dw, float* dw_partial);
M42_EXPORT m42_status* m42_cuda_rotary_forward(void* stream, m42_dtype dtype, const void* x, void* y, int64_t rows,
                                               int64_t H, int64_t D, const int64_t* position_ids,
                                               const float* cos_cache, const float* sin_cache,
                                               int64_t max_position, float theta, m42_rotary_layout layout);
M42_EXPORT m42_status* m42_cuda_rotary_backward(void* stream, m42_dtype dtype, const void* dy, void* dx,
                                                int64_t rows, int64_t H, int64_t D, const int64_t* position_ids,
                                                const float* cos_cache, const float* sin_cache,
                                                int64_t max_position, float theta, m42_rotary_layout layout);
M42_EXPORT m42_status* m42_cuda_dequant_int4(void* stream, m42_dtype dtype, const uint8_t* b, const float* scales,
                                             const uint8_t* zero_points, int64_t N, int64_t K, int64_t block,
                                             void* w);
M42_EXPORT m42_status* m42_cuda_matvec_int4(void* stream, m42_dtype dtype, const void* x, const uint8_t* b,
                                            const float* scales, const uint8_t* zero_points, int64_t N, int64_t K,
                                            int64_t block, void* y);
/* Dequantises into w_scratch [N, K] (dtype) then runs a tiled GEMM; y [M, N]. */
M42_EXPORT m42_status* m42_cuda_gemm_int4(void* stream, m42_dtype dtype, const void* a, const uint8_t* b,
                                          const float* scales, const uint8_t* zero_points, int64_t M, int64_t N,
                                          int64_t K, int64_t block, void* w_scratch, void* y);
M42_EXPORT m42_status* m42_cuda_adamw_step(void* stream, float* param, const float* grad, float* m, float* v,
                                           int64_t n, float lr, float beta1, float beta2, float eps,
                                           float weight_decay, int64_t step, m42_dtype copy_dtype, void* copy_out);

#ifdef __cplusplus
}
#endif
#endif /* MED42_H */
