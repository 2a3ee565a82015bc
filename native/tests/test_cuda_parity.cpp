// CUDA kernels vs the CPU references (label "cuda": ctest -L cuda), fp32 / fp16 / bf16. Inputs are
// rounded to the storage dtype first, so the references see exactly what the GPU sees; tolerances
// are per dtype: fp32 1e-4 (fp32 math, different summation order), fp16 4e-3 and bf16 3e-2 relative
// to the output scale (one rounding of the output: 2^-11 / 2^-8, plus fp32 accumulation).
#include <cuda_runtime.h>
#include <gtest/gtest.h>
#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>
#include "cpu/kernels.hpp"
#include "test_util.hpp"

using namespace m42::cpu;
using namespace m42test;

namespace {

bool HasDevice() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

struct Dev {
  void* p = nullptr;
  explicit Dev(size_t bytes) { EXPECT_EQ(cudaMalloc(&p, bytes), cudaSuccess); }
  Dev(Dev&& o) noexcept : p(o.p) { o.p = nullptr; }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  ~Dev() { cudaFree(p); }
  template <typename T> T* as() const { return static_cast<T*>(p); }
};

size_t Size(m42_dtype dt) { return dt == M42_F32 ? 4 : 2; }
double Tol(m42_dtype dt) { return dt == M42_F32 ? 1e-4 : dt == M42_F16 ? 4e-3 : 3e-2; }

// Host floats -> storage bytes of dt, and back (round to nearest even, as the GPU conversions).
std::vector<uint8_t> Encode(const std::vector<float>& v, m42_dtype dt) {
  std::vector<uint8_t> out(v.size() * Size(dt));
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == M42_F32) { std::memcpy(&out[i * 4], &v[i], 4); continue; }
    const uint16_t h = dt == M42_F16 ? float_to_half_bits(v[i]) : float_to_bf16_bits(v[i]);
    std::memcpy(&out[i * 2], &h, 2);
  }
  return out;
}
std::vector<float> Decode(const std::vector<uint8_t>& b, m42_dtype dt) {
  std::vector<float> out(b.size() / Size(dt));
  for (size_t i = 0; i < out.size(); ++i) {
    if (dt == M42_F32) { std::memcpy(&out[i], &b[i * 4], 4); continue; }
    uint16_t h;
    std::memcpy(&h, &b[i * 2], 2);
    out[i] = dt == M42_F16 ? half_bits_to_float(h) : bf16_bits_to_float(h);
  }
  return out;
}
std::vector<float> Round(const std::vector<float>& v, m42_dtype dt) { return Decode(Encode(v, dt), dt); }

Dev Upload(const std::vector<float>& v, m42_dtype dt) {
  auto bytes = Encode(v, dt);
  Dev d(bytes.size());
  cudaMemcpy(d.p, bytes.data(), bytes.size(), cudaMemcpyHostToDevice);
  return d;
}
template <typename T>
Dev UploadRaw(const std::vector<T>& v) {
  Dev d(v.size() * sizeof(T));
  cudaMemcpy(d.p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice);
  return d;
}
std::vector<float> Download(const Dev& d, size_t n, m42_dtype dt) {
  std::vector<uint8_t> bytes(n * Size(dt));
  EXPECT_EQ(cudaMemcpy(bytes.data(), d.p, bytes.size(), cudaMemcpyDeviceToHost), cudaSuccess);
  return Decode(bytes, dt);
}
double Scale(const std::vector<float>& v) {
  double s = 1e-6;
  for (float x : v) s = std::max(s, static_cast<double>(std::abs(x)));
  return s;
}
void Ok(m42_status* s) {
  EXPECT_EQ(s, nullptr) << m42_status_message(s);
  m42_status_free(s);
}

}  // namespace

class CudaParity : public ::testing::TestWithParam<m42_dtype> {
 protected:
  void SetUp() override {
    if (!HasDevice()) GTEST_SKIP() << "no CUDA device";
  }
};

TEST_P(CudaParity, RmsNormForwardBackward) {
  const m42_dtype dt = GetParam();
  for (auto [rows, C] : {std::pair<int64_t, int64_t>{1, 7}, {123, 100}, {64, 4096}}) {
    const size_t n = rows * C;
    auto x = Round(Random(n, 1, -3, 3), dt), w = Round(Random(C, 2, 0.5f, 1.5f), dt), dy = Round(Random(n, 3), dt);
    std::vector<float> y(n), inv(rows), dx(n), dw(C);
    rms_norm_forward_ref(x.data(), nullptr, w.data(), rows, C, 1e-5f, y.data(), inv.data());
    rms_norm_backward_ref(dy.data(), x.data(), w.data(), inv.data(), rows, C, dx.data(), dw.data());
    Dev dy_d = Upload(dy, dt), x_d = Upload(x, dt), w_d = Upload(w, dt), y_d(n * 4), inv_d(rows * 4),
        dxd(n * 4), dwd(C * 4), part(((rows + M42_RMS_NORM_BWD_ROWS - 1) / M42_RMS_NORM_BWD_ROWS) * C * 4);
    Ok(m42_cuda_rms_norm_forward(nullptr, dt, x_d.p, nullptr, w_d.p, rows, C, 1e-5f, y_d.p, inv_d.as<float>()));
    Ok(m42_cuda_rms_norm_backward(nullptr, dt, dy_d.p, x_d.p, w_d.p, inv_d.as<float>(), rows, C, dxd.p, dwd.p, part.as<float>()));
    EXPECT_LT(MaxAbsErr(Download(y_d, n, dt), y) / Scale(y), Tol(dt)) << rows << "x" << C;
    EXPECT_LT(MaxAbsErr(Download(inv_d, rows, M42_F32), inv) / Scale(inv), 1e-5);
    EXPECT_LT(MaxAbsErr(Download(dxd, n, dt), dx) / Scale(dx), Tol(dt)) << rows << "x" << C;
    EXPECT_LT(MaxAbsErr(Download(dwd, C, dt), dw) / Scale(dw), Tol(dt)) << rows << "x" << C;
  }
}

// The vectorised kernels (rows of whole 16-byte vectors, aligned buffers) and the scalar fallbacks
// (odd widths, and buffers one element off 16-byte alignment), with the residual input, a row
// wider than one vector per thread (C = 8192) and enough rows for many dw partial blocks.
TEST_P(CudaParity, RmsNormResidualWideAndMisaligned) {
  const m42_dtype dt = GetParam();
  const size_t es = Size(dt);
  for (auto [rows, C, shift] : {std::tuple<int64_t, int64_t, int64_t>{1000, 8192, 0}, {77, 4096, 1}, {33, 24, 0}}) {
    const size_t n = rows * C;
    auto x = Round(Random(n, 13, -3, 3), dt), res = Round(Random(n, 14), dt), w = Round(Random(C, 15, 0.5f, 1.5f), dt),
         dy = Round(Random(n, 16), dt);
    std::vector<float> sum = res, y(n), inv(rows), dx(n), dw(C);
    rms_norm_forward_ref(x.data(), sum.data(), w.data(), rows, C, 1e-5f, y.data(), inv.data());
    sum = Round(sum, dt);  // the kernel stores the residual sum in dt, then normalises that
    rms_norm_forward_ref(sum.data(), nullptr, w.data(), rows, C, 1e-5f, y.data(), inv.data());
    rms_norm_backward_ref(dy.data(), sum.data(), w.data(), inv.data(), rows, C, dx.data(), dw.data());
    // shift = 1 places every buffer one element past a 16-byte boundary (the scalar path).
    auto up = [&](const std::vector<float>& v) {
      auto bytes = Encode(v, dt);
      Dev d(bytes.size() + 16);
      cudaMemcpy(static_cast<uint8_t*>(d.p) + shift * es, bytes.data(), bytes.size(), cudaMemcpyHostToDevice);
      return d;
    };
    auto at = [&](const Dev& d) { return static_cast<void*>(static_cast<uint8_t*>(d.p) + shift * es); };
    auto down = [&](const Dev& d, size_t count) {
      std::vector<uint8_t> bytes(count * es);
      EXPECT_EQ(cudaMemcpy(bytes.data(), at(d), bytes.size(), cudaMemcpyDeviceToHost), cudaSuccess);
      return Decode(bytes, dt);
    };
    Dev x_d = up(x), r_d = up(res), w_d = up(w), dy_d = up(dy), y_d(n * 4 + 16), inv_d(rows * 4), dx_d(n * 4 + 16),
        dw_d(C * 4 + 16), part(((rows + M42_RMS_NORM_BWD_ROWS - 1) / M42_RMS_NORM_BWD_ROWS) * C * 4);
    Ok(m42_cuda_rms_norm_forward(nullptr, dt, at(x_d), at(r_d), at(w_d), rows, C, 1e-5f, at(y_d), inv_d.as<float>()));
    EXPECT_EQ(MaxAbsErr(down(r_d, n), sum), 0.0) << "residual sum, " << rows << "x" << C;  // one rounding, same as the host
    EXPECT_LT(MaxAbsErr(down(y_d, n), y) / Scale(y), Tol(dt)) << rows << "x" << C;
    Ok(m42_cuda_rms_norm_backward(nullptr, dt, at(dy_d), at(r_d), at(w_d), inv_d.as<float>(), rows, C, at(dx_d), at(dw_d),
                                  part.as<float>()));
    EXPECT_LT(MaxAbsErr(down(dx_d, n), dx) / Scale(dx), Tol(dt)) << rows << "x" << C;
    // dw sums 1000 rows: fp32 accumulation in a different order, so a looser fp32 bound.
    EXPECT_LT(MaxAbsErr(down(dw_d, C), dw) / Scale(dw), dt == M42_F32 ? 5e-4 : Tol(dt)) << rows << "x" << C;
  }
}

// Cos/sin caches (the vectorised HALF kernel; INTERLEAVED and a misaligned buffer take the scalar one).
TEST_P(CudaParity, RotaryCached) {
  const m42_dtype dt = GetParam();
  const int64_t rows = 57, H = 5, D = 128, P = 512, half = D / 2;
  std::vector<float> cosc(P * half), sinc(P * half);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t i = 0; i < half; ++i) {
      const double a = p * std::pow(10000.0, -2.0 * i / D);
      cosc[p * half + i] = static_cast<float>(std::cos(a));
      sinc[p * half + i] = static_cast<float>(std::sin(a));
    }
  std::vector<int64_t> pos(rows);
  for (int64_t r = 0; r < rows; ++r) pos[r] = (r * 53) % P;
  for (auto layout : {M42_ROTARY_HALF, M42_ROTARY_INTERLEAVED})
    for (int64_t shift : {0, 1}) {
      const size_t n = rows * H * D, es = Size(dt);
      auto x = Round(Random(n, 17), dt);
      std::vector<float> y(n);
      rotary_ref(x.data(), y.data(), rows, H, D, pos.data(), cosc.data(), sinc.data(), 0.f, layout, 1);
      auto bytes = Encode(x, dt);
      Dev x_d(bytes.size() + 16), y_d(bytes.size() + 16), c_d = UploadRaw(cosc), s_d = UploadRaw(sinc), p_d = UploadRaw(pos);
      auto* xp = static_cast<uint8_t*>(x_d.p) + shift * es;
      auto* yp = static_cast<uint8_t*>(y_d.p) + shift * es;
      cudaMemcpy(xp, bytes.data(), bytes.size(), cudaMemcpyHostToDevice);
      Ok(m42_cuda_rotary_forward(nullptr, dt, xp, yp, rows, H, D, p_d.as<int64_t>(), c_d.as<float>(), s_d.as<float>(), P, 0.f,
                                 layout));
      std::vector<uint8_t> out(bytes.size());
      EXPECT_EQ(cudaMemcpy(out.data(), yp, out.size(), cudaMemcpyDeviceToHost), cudaSuccess);
      EXPECT_LT(MaxAbsErr(Decode(out, dt), y), dt == M42_F32 ? 1e-5 : Tol(dt)) << "layout " << layout << " shift " << shift;
      Ok(m42_cuda_rotary_backward(nullptr, dt, yp, yp, rows, H, D, p_d.as<int64_t>(), c_d.as<float>(), s_d.as<float>(), P, 0.f,
                                  layout));
      EXPECT_EQ(cudaMemcpy(out.data(), yp, out.size(), cudaMemcpyDeviceToHost), cudaSuccess);
      EXPECT_LT(MaxAbsErr(Decode(out, dt), x), dt == M42_F32 ? 1e-5 : 2 * Tol(dt)) << "inverse, layout " << layout;
    }
}

TEST_P(CudaParity, Rotary) {
  const m42_dtype dt = GetParam();
  for (auto layout : {M42_ROTARY_HALF, M42_ROTARY_INTERLEAVED}) {
    const int64_t rows = 123, H = 3, D = 128, P = 4096;
    const size_t n = rows * H * D;
    auto x = Round(Random(n, 4), dt);
    std::vector<int64_t> pos(rows);
    for (int64_t r = 0; r < rows; ++r) pos[r] = (r * 37) % P;
    std::vector<float> y(n), back(n);
    rotary_ref(x.data(), y.data(), rows, H, D, pos.data(), nullptr, nullptr, 10000.f, layout, 1);
    Dev x_d = Upload(x, dt), y_d(n * 4), p_d = UploadRaw(pos);
    Ok(m42_cuda_rotary_forward(nullptr, dt, x_d.p, y_d.p, rows, H, D, p_d.as<int64_t>(), nullptr, nullptr, P, 10000.f, layout));
    EXPECT_LT(MaxAbsErr(Download(y_d, n, dt), y), dt == M42_F32 ? 1e-5 : Tol(dt));
    Ok(m42_cuda_rotary_backward(nullptr, dt, y_d.p, y_d.p, rows, H, D, p_d.as<int64_t>(), nullptr, nullptr, P, 10000.f, layout));
    EXPECT_LT(MaxAbsErr(Download(y_d, n, dt), x), dt == M42_F32 ? 1e-5 : 2 * Tol(dt));  // inverse restores x
  }
}

TEST_P(CudaParity, Int4DequantMatvecGemm) {
  const m42_dtype dt = GetParam();
  for (int64_t block : {16, 32, 64, 128}) {
    const int64_t M = 7, N = 33, K = 4 * block, blocks = K / block;
    auto b = RandomBytes(N * K / 2, 5);
    auto scales = Random(N * blocks, 6, 0.01f, 0.1f);
    auto zp = RandomBytes(N * ((blocks + 1) / 2), 7);
    auto a = Round(Random(M * K, 8), dt);
    std::vector<float> w(N * K), y(M * N), v(N);
    dequant_int4_ref(b.data(), scales.data(), zp.data(), N, K, block, w.data());
    auto wr = Round(w, dt);  // the GPU GEMM reads the dequantised weights in dt
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k) acc += static_cast<double>(a[m * K + k]) * wr[n * K + k];
        y[m * N + n] = static_cast<float>(acc);
      }
    matvec_int4_ref(a.data(), b.data(), scales.data(), zp.data(), N, K, block, v.data());
    Dev b_d = UploadRaw(b), s_d = UploadRaw(scales), z_d = UploadRaw(zp), a_d = Upload(a, dt), w_d(N * K * 4), y_d(M * N * 4),
        v_d(N * 4);
    Ok(m42_cuda_dequant_int4(nullptr, dt, b_d.as<uint8_t>(), s_d.as<float>(), z_d.as<uint8_t>(), N, K, block, w_d.p));
    EXPECT_EQ(MaxAbsErr(Download(w_d, N * K, dt), wr), 0.0);  // same fp32 math, same rounding
    Ok(m42_cuda_matvec_int4(nullptr, dt, a_d.p, b_d.as<uint8_t>(), s_d.as<float>(), z_d.as<uint8_t>(), N, K, block, v_d.p));
    EXPECT_LT(MaxAbsErr(Download(v_d, N, dt), v) / Scale(v), Tol(dt));
    Ok(m42_cuda_gemm_int4(nullptr, dt, a_d.p, b_d.as<uint8_t>(), s_d.as<float>(), z_d.as<uint8_t>(), M, N, K, block, w_d.p, y_d.p));
    EXPECT_LT(MaxAbsErr(Download(y_d, M * N, dt), y) / Scale(y), Tol(dt));
  }
}

TEST_P(CudaParity, AdamW) {
  const m42_dtype copy = GetParam() == M42_F32 ? M42_BF16 : GetParam();
  const int64_t n = 100003;
  auto p = Random(n, 9), g = Random(n, 10), m = Random(n, 11, -0.1f, 0.1f), v = Random(n, 12, 0.f, 0.01f);
  Dev p_d = UploadRaw(p), g_d = UploadRaw(g), m_d = UploadRaw(m), v_d = UploadRaw(v), c_d(n * 2);
  std::vector<uint16_t> c(n);
  adamw_ref(p.data(), g.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 7, copy, c.data());
  Ok(m42_cuda_adamw_step(nullptr, p_d.as<float>(), g_d.as<float>(), m_d.as<float>(), v_d.as<float>(), n, 1e-3f, 0.9f, 0.95f,
                         1e-8f, 0.1f, 7, copy, c_d.p));
  EXPECT_LT(MaxAbsErr(Download(p_d, n, M42_F32), p), 1e-6);  // fp32 vs double per element, |update| ~1e-3
  auto got = Download(c_d, n, copy);
  EXPECT_LT(MaxAbsErr(got, Decode(Encode(p, copy), copy)), copy == M42_F16 ? 1e-3 : 8e-3);  // one ulp at |p| <= 1
}

INSTANTIATE_TEST_SUITE_P(DTypes, CudaParity, ::testing::Values(M42_F32, M42_F16, M42_BF16));
