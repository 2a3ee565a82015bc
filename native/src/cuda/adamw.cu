// CUDA AdamW step on fp32 master weights (src/cpu/adamw_ref.cpp semantics, fp32 math with the
// bias corrections computed on the host in double), optional fp16/bf16 copy of the new weights.
#include <cmath>
#include "common.cuh"
#include "launch.hpp"

namespace m42::cuda {
namespace {

__global__ void adamw_kernel(float* p, const float* __restrict__ g, float* m, float* v, int64_t n, float lr, float b1,
                             float b2, float eps, float decay, float inv_bc1, float inv_sqrt_bc2, int copy_dtype,
                             void* copy_out) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.f - b1) * gi;
    const float vi = b2 * v[i] + (1.f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const float pi = p[i] * decay - lr * (mi * inv_bc1) / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    p[i] = pi;
    if (copy_out) {
      if (copy_dtype == M42_BF16) st(static_cast<__nv_bfloat16*>(copy_out), i, pi);
      else st(static_cast<__half*>(copy_out), i, pi);
    }
  }
}

}  // namespace

void adamw(void* stream, float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps,
           float wd, int64_t step, m42_dtype copy_dtype, void* copy_out) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(step));
  adamw_kernel<<<grid_for(n, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(
      p, g, m, v, n, lr, b1, b2, eps, 1.f - lr * wd, static_cast<float>(1.0 / bc1), static_cast<float>(1.0 / std::sqrt(bc2)),
      static_cast<int>(copy_dtype), copy_out);
  check_launch("adamw_step");
}

}  // namespace m42::cuda
