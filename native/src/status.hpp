// Status objects and the try/catch shim shared by every exported function (api.cpp, api_cuda.cpp).
// A kernel signals bad input by throwing m42::Error; M42_TRY/M42_CATCH turn any exception into a
// heap-allocated m42_status the caller frees, so nothing unwinds across the C ABI.
#pragma once
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include "med42.h"

struct m42_status {
  m42_code code;
  std::string message;
};

struct m42_context {
  m42_kernels kernels;
};

namespace m42 {

struct Error : std::runtime_error {
  m42_code code;
  Error(m42_code c, const std::string& m) : std::runtime_error(m), code(c) {}
};

// Returned when even the status cannot be allocated; m42_status_free recognises and keeps it.
inline m42_status* oom_status() noexcept {
  static m42_status oom{M42_OUT_OF_MEMORY, "out of memory"};
  return &oom;
}

inline m42_status* make_status(m42_code code, const std::string& message) noexcept {
  try {
    return new m42_status{code, message};
  } catch (...) {
    return oom_status();
  }
}

// Argument checks; fn names the entry point so messages read "m42_gemm_int4: K (30) ...".
inline void require_ptr(const char* fn, const void* p, const char* name) {
  if (p == nullptr) throw Error(M42_NULL_POINTER, std::string(fn) + ": " + name + " is null");
}
inline void require_aligned(const char* fn, const void* p, size_t align, const char* name) {
  if (p != nullptr && reinterpret_cast<uintptr_t>(p) % align != 0)
    throw Error(M42_MISALIGNED, std::string(fn) + ": " + name + " is not " + std::to_string(align) + "-byte aligned");
}
inline void require_buffer(const char* fn, const void* p, size_t align, const char* name) {
  require_ptr(fn, p, name);
  require_aligned(fn, p, align, name);
}
inline void require_positive(const char* fn, int64_t v, const char* name) {
  if (v <= 0) throw Error(M42_INVALID_ARGUMENT, std::string(fn) + ": " + name + " must be > 0 (got " + std::to_string(v) + ")");
}
void check_int4_shape(const char* fn, int64_t N, int64_t K, int64_t block);
void check_rotary(const char* fn, int64_t rows, int64_t H, int64_t D, const float* cos_cache, const float* sin_cache,
                  int64_t max_position, float theta, m42_rotary_layout layout);
void check_adamw(const char* fn, int64_t n, float lr, float b1, float b2, float eps, int64_t step, m42_dtype copy_dtype,
                 const void* copy_out);

}  // namespace m42

#define M42_TRY try {
#define M42_CATCH                                                               \
  }                                                                             \
  catch (const m42::Error& e) { return m42::make_status(e.code, e.what()); }    \
  catch (const std::bad_alloc&) { return m42::make_status(M42_OUT_OF_MEMORY, "out of memory"); } \
  catch (const std::exception& e) { return m42::make_status(M42_INTERNAL, e.what()); } \
  catch (...) { return m42::make_status(M42_INTERNAL, "unknown exception"); }   \
  return nullptr;
