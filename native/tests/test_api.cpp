// The C ABI contract: statuses for bad calls (null, zero/negative sizes, K % block, misalignment,
// bad enums), NULL for good calls, version, and CUDA entry points answering UNSUPPORTED without CUDA.
#include <gtest/gtest.h>
#include <memory>
#include <vector>
#include "med42.h"

namespace {
struct StatusPtr {
  m42_status* s;
  explicit StatusPtr(m42_status* st) : s(st) {}
  ~StatusPtr() { m42_status_free(s); }
  m42_code code() const { return m42_status_code(s); }
  std::string message() const { return m42_status_message(s); }
};
struct Ctx {
  m42_context* c = nullptr;
  Ctx() { m42_status_free(m42_context_create(M42_KERNELS_AUTO, &c)); }
  ~Ctx() { m42_context_free(c); }
};
}  // namespace

TEST(Api, VersionAndNullStatus) {
  EXPECT_EQ(m42_api_version(), M42_API_VERSION);
  EXPECT_EQ(m42_status_code(nullptr), M42_OK);
  EXPECT_STREQ(m42_status_message(nullptr), "");
  m42_status_free(nullptr);
  m42_context_free(nullptr);
}

TEST(Api, BadCallsReturnStatuses) {
  Ctx ctx;
  std::vector<float> x(64, 1.f), w(64, 1.f), y(64), inv(4);
  EXPECT_EQ(StatusPtr(m42_rms_norm_forward(ctx.c, x.data(), nullptr, w.data(), 4, 16, 1e-5f, y.data(), inv.data())).s, nullptr);
  EXPECT_EQ(StatusPtr(m42_rms_norm_forward(nullptr, x.data(), nullptr, w.data(), 4, 16, 1e-5f, y.data(), inv.data())).code(), M42_NULL_POINTER);
  EXPECT_EQ(StatusPtr(m42_rms_norm_forward(ctx.c, nullptr, nullptr, w.data(), 4, 16, 1e-5f, y.data(), inv.data())).code(), M42_NULL_POINTER);
  EXPECT_EQ(StatusPtr(m42_rms_norm_forward(ctx.c, x.data(), nullptr, w.data(), 0, 16, 1e-5f, y.data(), inv.data())).code(), M42_INVALID_ARGUMENT);
  EXPECT_EQ(StatusPtr(m42_rms_norm_forward(ctx.c, x.data(), nullptr, w.data(), 4, -1, 1e-5f, y.data(), inv.data())).code(), M42_INVALID_ARGUMENT);
  const float* mis = reinterpret_cast<const float*>(reinterpret_cast<const char*>(x.data()) + 1);
  StatusPtr m(m42_rms_norm_forward(ctx.c, mis, nullptr, w.data(), 1, 8, 1e-5f, y.data(), inv.data()));
  EXPECT_EQ(m.code(), M42_MISALIGNED);
  EXPECT_NE(m.message().find("x is not 4-byte aligned"), std::string::npos) << m.message();

  std::vector<uint8_t> b(64);
  std::vector<float> scales(4);
  StatusPtr k(m42_dequant_int4(ctx.c, b.data(), scales.data(), nullptr, 1, 40, 32, y.data()));
  EXPECT_EQ(k.code(), M42_INVALID_ARGUMENT);
  EXPECT_NE(k.message().find("K (40) is not divisible by block (32)"), std::string::npos) << k.message();
  EXPECT_EQ(StatusPtr(m42_gemm_int4(ctx.c, x.data(), b.data(), scales.data(), nullptr, 1, 1, 48, 24, y.data())).code(), M42_INVALID_ARGUMENT);

  const int64_t pos[2] = {0, 9};
  std::vector<float> cache(8 * 2);
  EXPECT_EQ(StatusPtr(m42_rotary_forward(ctx.c, x.data(), y.data(), 2, 1, 4, pos, cache.data(), cache.data(), 8, 0.f, M42_ROTARY_HALF)).code(),
            M42_INVALID_ARGUMENT);  // position 9 >= max_position 8
  EXPECT_EQ(StatusPtr(m42_rotary_forward(ctx.c, x.data(), y.data(), 1, 1, 3, pos, nullptr, nullptr, 0, 1e4f, M42_ROTARY_HALF)).code(),
            M42_INVALID_ARGUMENT);  // odd D
  EXPECT_EQ(StatusPtr(m42_rotary_forward(ctx.c, x.data(), y.data(), 1, 1, 4, pos, nullptr, nullptr, 0, 1e4f, static_cast<m42_rotary_layout>(7))).code(),
            M42_INVALID_ARGUMENT);
  EXPECT_EQ(StatusPtr(m42_adamw_step(ctx.c, x.data(), w.data(), y.data(), inv.data(), 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.f, 0, M42_F32, nullptr)).code(),
            M42_INVALID_ARGUMENT);  // step 0
  m42_context* out = nullptr;
  EXPECT_EQ(StatusPtr(m42_context_create(static_cast<m42_kernels>(9), &out)).code(), M42_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
}

#ifndef MED42_WITH_CUDA
TEST(Api, CudaEntryPointsAreUnsupportedInCpuBuild) {
  std::vector<float> x(16), inv(1);
  EXPECT_EQ(m42_cuda_available(), 0);
  EXPECT_EQ(StatusPtr(m42_cuda_rms_norm_forward(nullptr, M42_F32, x.data(), nullptr, x.data(), 1, 16, 1e-5f, x.data(), inv.data())).code(),
            M42_UNSUPPORTED);
}
#endif
