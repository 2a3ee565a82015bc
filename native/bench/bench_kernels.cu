// Benchmarks of the CUDA kernels at Llama-2-7B shapes (C = 4096, F = 11008, D = 128, H = 32,
// 4k-16k tokens). Validates nothing itself (the parity tests do); measures p50 over 20 runs with
// CUDA events and reports GB/s (bytes the kernel must move / time) and that as % of a
// device-to-device cudaMemcpy of the same footprint (pct_of_copy) and of a 2 x big-buffer copy
// (pct_of_peak_copy), both measured in the same run. CSV on stdout:
//   kernel,dtype,shape,p50_us,gbps,pct_of_copy,pct_of_peak_copy
// Usage: bench_kernels [tokens ...]   (default 4096 16384)
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>
#include "med42.h"

namespace {

float P50(const std::function<void()>& f) {
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  for (int i = 0; i < 3; ++i) f();  // warm-up
  std::vector<float> ms;
  for (int i = 0; i < 20; ++i) {
    cudaEventRecord(a);
    f();
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float t = 0;
    cudaEventElapsedTime(&t, a, b);
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return ms[ms.size() / 2];
}

void Check(m42_status* s) {
  if (s) {
    std::fprintf(stderr, "bench: %s\n", m42_status_message(s));
    std::exit(1);
  }
}

void* Alloc(size_t bytes) {
  void* p = nullptr;
  if (cudaMalloc(&p, bytes) != cudaSuccess) {
    std::fprintf(stderr, "bench: cudaMalloc(%zu) failed\n", bytes);
    std::exit(1);
  }
  cudaMemset(p, 0, bytes);
  return p;
}

double peak_copy_gbps = 0;
void* copy_src = nullptr;
void* copy_dst = nullptr;
size_t copy_max = 0;  // the buffers' size: larger footprints are compared with a copy of this size (steady state)

// The ceiling for a kernel moving `bytes`: a device-to-device copy of the same footprint (bytes / 2
// read + bytes / 2 written) timed the same way, so launch and tail costs weigh the same on both.
double CopyGbps(double bytes) {
  static std::vector<std::pair<size_t, double>> seen;  // (copy size, GB/s); a handful of sizes
  const size_t half = std::min(static_cast<size_t>(bytes / 2) / 16 * 16, copy_max);
  for (const auto& entry : seen)
    if (entry.first == half) return entry.second;
  const float ms = P50([&] { cudaMemcpyAsync(copy_dst, copy_src, half, cudaMemcpyDeviceToDevice); });
  seen.emplace_back(half, 2.0 * half / (ms * 1e-3) / 1e9);
  return seen.back().second;
}

void Row(const char* kernel, const char* dtype, const std::string& shape, float ms, double bytes) {
  const double gbps = bytes / (ms * 1e-3) / 1e9;
  std::printf("%s,%s,%s,%.1f,%.1f,%.1f,%.1f\n", kernel, dtype, shape.c_str(), ms * 1e3, gbps, 100.0 * gbps / CopyGbps(bytes),
              100.0 * gbps / peak_copy_gbps);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> tokens;
  for (int i = 1; i < argc; ++i) tokens.push_back(std::atol(argv[i]));
  if (tokens.empty()) tokens = {4096, 16384};
  const long C = 4096, F = 11008, H = 32, D = 128, P = 16384;
  const long maxT = *std::max_element(tokens.begin(), tokens.end());
  const size_t big = static_cast<size_t>(std::max(maxT, F)) * C * 4;  // activations or a dequantised F x C weight
  void *a = Alloc(big), *b = Alloc(big), *c = Alloc(big), *d = Alloc(big), *inv = Alloc(maxT * 4), *w = Alloc(C * 4),
       *part = Alloc(((maxT + M42_RMS_NORM_BWD_ROWS - 1) / M42_RMS_NORM_BWD_ROWS) * C * 4), *pos = Alloc(maxT * 8),
       *cache = Alloc(P * D / 2 * 4);
  std::printf("kernel,dtype,shape,p50_us,gbps,pct_of_copy,pct_of_peak_copy\n");
  const float copy_ms = P50([&] { cudaMemcpyAsync(b, a, big, cudaMemcpyDeviceToDevice); });
  peak_copy_gbps = 2.0 * big / (copy_ms * 1e-3) / 1e9;  // read + write
  copy_src = a;
  copy_dst = b;
  copy_max = big;
  Row("memcpy_d2d", "bytes", std::to_string(big), copy_ms, 2.0 * big);
  const struct { m42_dtype dt; const char* name; size_t size; } dtypes[] = {{M42_F32, "fp32", 4}, {M42_F16, "fp16", 2}, {M42_BF16, "bf16", 2}};
  for (long T : tokens)
    for (const auto& entry : dtypes) {
      const m42_dtype dt = entry.dt; const char* name = entry.name; const size_t es = entry.size;
      const std::string shape = std::to_string(T) + "x" + std::to_string(C);
      const double act = static_cast<double>(T) * C * es;
      Row("rms_norm_fwd", name, shape, P50([&] { Check(m42_cuda_rms_norm_forward(nullptr, dt, a, nullptr, w, T, C, 1e-5f, b, (float*)inv)); }),
          2 * act + T * 4.0);
      Row("rms_norm_bwd", name, shape,
          P50([&] { Check(m42_cuda_rms_norm_backward(nullptr, dt, a, b, w, (float*)inv, T, C, c, d, (float*)part)); }), 3 * act + T * 4.0);
      const std::string rshape = std::to_string(T) + "x" + std::to_string(H) + "x" + std::to_string(D);
      Row("rope_fwd_cache", name, rshape,
          P50([&] { Check(m42_cuda_rotary_forward(nullptr, dt, a, b, T, H, D, (int64_t*)pos, (float*)cache, (float*)cache, P, 0.f, M42_ROTARY_HALF)); }),
          2 * act + T * 8.0);
    }
  for (const auto& entry : dtypes) {
    const m42_dtype dt = entry.dt; const char* name = entry.name; const size_t es = entry.size;
    const double bytes = F * C / 2.0 + F * (C / 32) * 4.0 + static_cast<double>(F) * C * es;
    Row("dequant_int4_b32", name, std::to_string(F) + "x" + std::to_string(C),
        P50([&] { Check(m42_cuda_dequant_int4(nullptr, dt, (uint8_t*)a, (float*)b, nullptr, F, C, 32, c)); }), bytes);
    Row("matvec_int4_b32", name, std::to_string(F) + "x" + std::to_string(C),
        P50([&] { Check(m42_cuda_matvec_int4(nullptr, dt, d, (uint8_t*)a, (float*)b, nullptr, F, C, 32, c)); }),
        F * C / 2.0 + F * (C / 32) * 4.0);
  }
  return 0;
}
