// ONNX Runtime custom-op library (domain ai.med42, CPU EP) over the med42 C ABI, built with the lite
// custom-op API of onnxruntime_lite_custom_op.h. Ops and their contracts:
//   RmsNorm(X [..., C], W [C]; epsilon)            -> Y [..., C], InvRms [...]
//   RmsNormGrad(dY, X, W, InvRms)                  -> dX [..., C], dW [C]
//   Rotary(X [..., H, D], position_ids [...] int64, cos_cache [P, D/2], sin_cache [P, D/2]; interleaved)
//                                                  -> Y [..., H, D]     (HF rotate_half when interleaved = 0)
//   RotaryGrad(dY, position_ids, cos_cache, sin_cache; interleaved) -> dX (inverse rotation)
//   MatMulInt4(A [..., K], B uint8 [N, K/block, block/2], scales [N*K/block], zero_points? uint8; K, N, block_size)
//                                                  -> Y [..., N]        (MatMulNBits semantics, bits = 4)
//   DequantInt4(B uint8 [N, ceil(K/block), block/2], scales [N*ceil(K/block)], zero_points? uint8; K, N, block_size)
//                                                  -> W [N, K]          (MatMulNBits' reconstruction, float32)
//     The backward of a frozen MatMulNBits (QLoRA: dA = dY·W). K need not be a multiple of block: the last
//     block is padded, as ORT's MatMulNBits and Int4Quantizer lay it out. CPU EP only (with a CUDA EP, ORT
//     places the node on CPU: it runs once per step per frozen linear).
// Kernel errors come back as ORT statuses (KernelComputeV2), never as exceptions across the C API.
// Tested from C# (tests/Med42.Ort.Native.Tests/CustomOpTests.cs) against plain-ONNX graphs.
// With MED42_ORT_CUDA (a CUDA build) the same ops are also registered for the CUDA EP (float32): they run
// the m42_cuda_* kernels on the stream ORT hands the kernel (KernelContext_GetGPUComputeStream), with
// scratch from ORT's allocator for the inputs' device. This file stays host C++: the m42_cuda_* entry
// points take the stream as void*, so no CUDA header is needed here.
#define ORT_API_MANUAL_INIT
#include "onnxruntime_cxx_api.h"
#undef ORT_API_MANUAL_INIT
#include "onnxruntime_lite_custom_op.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include "med42.h"

namespace {

using Ort::Custom::Tensor;

const m42_context* Context() {
  static const m42_context* ctx = [] {
    m42_context* c = nullptr;
    m42_status* s = m42_context_create(M42_KERNELS_AUTO, &c);
    m42_status_free(s);
    return c;
  }();
  return ctx;
}

// Funnels a med42 status into an ORT status (OK when null).
Ort::Status ToOrt(m42_status* s) {
  if (s == nullptr) return Ort::Status{nullptr};
  Ort::Status out{m42_status_message(s), ORT_INVALID_ARGUMENT};
  m42_status_free(s);
  return out;
}

Ort::Status Invalid(const std::string& message) { return Ort::Status{message.c_str(), ORT_INVALID_ARGUMENT}; }

template <typename T>
T AttrOr(const OrtKernelInfo* info, const char* name, T fallback) {
  try {
    return Ort::ConstKernelInfo{info}.GetAttribute<T>(name);
  } catch (const Ort::Exception&) {
    return fallback;
  }
}

std::vector<int64_t> Leading(const std::vector<int64_t>& shape, size_t drop) {
  return std::vector<int64_t>(shape.begin(), shape.end() - static_cast<std::ptrdiff_t>(drop));
}

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto d : v) p *= d;
  return p;
}

// Input checks shared by the CPU and CUDA kernels of each op (same contract, same messages); each sets the
// dimensions the kernel call needs.
Ort::Status CheckRmsNorm(const Ort::Custom::Tensor<float>& x, const Ort::Custom::Tensor<float>& w, int64_t& rows, int64_t& C) {
  const auto& shape = x.Shape();
  if (shape.empty()) return Invalid("RmsNorm: X must have rank >= 1");
  C = shape.back();
  rows = Product(Leading(shape, 1));
  if (w.NumberOfElement() != C) return Invalid("RmsNorm: W must have C = " + std::to_string(C) + " elements");
  return Ort::Status{nullptr};
}

Ort::Status CheckRmsNormGrad(const Ort::Custom::Tensor<float>& dy, const Ort::Custom::Tensor<float>& x,
                             const Ort::Custom::Tensor<float>& w, const Ort::Custom::Tensor<float>& inv, int64_t& rows,
                             int64_t& C) {
  const auto& shape = x.Shape();
  if (shape.empty() || dy.Shape() != shape) return Invalid("RmsNormGrad: dY and X must have the same rank >= 1 shape");
  C = shape.back();
  rows = Product(Leading(shape, 1));
  if (w.NumberOfElement() != C || inv.NumberOfElement() != rows)
    return Invalid("RmsNormGrad: W must have C elements and InvRms one per row");
  return Ort::Status{nullptr};
}

// X [..., H, D], one position per row (all dims but the last two), caches [max_position, D/2].
Ort::Status CheckRotary(const char* name, const Ort::Custom::Tensor<float>& x, const Ort::Custom::Tensor<int64_t>& pos,
                        const Ort::Custom::Tensor<float>& cos_cache, const Ort::Custom::Tensor<float>& sin_cache,
                        int64_t& rows, int64_t& H, int64_t& D, int64_t& max_position) {
  const auto& shape = x.Shape();
  if (shape.size() < 3) return Invalid(std::string(name) + ": X must be [..., H, D] with rank >= 3");
  D = shape.back();
  H = shape[shape.size() - 2];
  rows = Product(Leading(shape, 2));
  if (pos.NumberOfElement() != rows)
    return Invalid(std::string(name) + ": position_ids must have one entry per row (" + std::to_string(rows) + ")");
  const auto& cs = cos_cache.Shape();
  if (cs.size() != 2 || cs[1] * 2 != D || sin_cache.Shape() != cs)
    return Invalid(std::string(name) + ": cos_cache/sin_cache must both be [max_position, D/2]");
  max_position = cs[0];
  return Ort::Status{nullptr};
}

struct RmsNorm {
  RmsNorm(const OrtApi*, const OrtKernelInfo* info) : eps(AttrOr<float>(info, "epsilon", 1e-5f)) {}
  Ort::Status Compute(const Tensor<float>& x, const Tensor<float>& w, Tensor<float>& y, Tensor<float>& inv) {
    const auto& shape = x.Shape();
    int64_t rows = 0, C = 0;
    if (auto st = CheckRmsNorm(x, w, rows, C); !st.IsOK()) return st;
    float* yd = y.Allocate(shape);
    float* id = inv.Allocate(Leading(shape, 1));
    return ToOrt(m42_rms_norm_forward(Context(), x.Data(), nullptr, w.Data(), rows, C, eps, yd, id));
  }
  float eps;
};

struct RmsNormGrad {
  RmsNormGrad(const OrtApi*, const OrtKernelInfo*) {}
  Ort::Status Compute(const Tensor<float>& dy, const Tensor<float>& x, const Tensor<float>& w,
                      const Tensor<float>& inv, Tensor<float>& dx, Tensor<float>& dw) {
    int64_t rows = 0, C = 0;
    if (auto st = CheckRmsNormGrad(dy, x, w, inv, rows, C); !st.IsOK()) return st;
    const auto& shape = x.Shape();
    float* dxd = dx.Allocate(shape);
    float* dwd = dw.Allocate({C});
    return ToOrt(m42_rms_norm_backward(Context(), dy.Data(), x.Data(), w.Data(), inv.Data(), rows, C, dxd, dwd));
  }
};

template <int Sign>
struct RotaryOp {
  RotaryOp(const OrtApi*, const OrtKernelInfo* info)
      : layout(AttrOr<int64_t>(info, "interleaved", 0) != 0 ? M42_ROTARY_INTERLEAVED : M42_ROTARY_HALF) {}
  Ort::Status Compute(const Tensor<float>& x, const Tensor<int64_t>& pos, const Tensor<float>& cos_cache,
                      const Tensor<float>& sin_cache, Tensor<float>& y) {
    int64_t rows = 0, H = 0, D = 0, max_position = 0;
    if (auto st = CheckRotary(Sign > 0 ? "Rotary" : "RotaryGrad", x, pos, cos_cache, sin_cache, rows, H, D, max_position);
        !st.IsOK())
      return st;
    float* yd = y.Allocate(x.Shape());
    auto fn = Sign > 0 ? m42_rotary_forward : m42_rotary_backward;
    return ToOrt(fn(Context(), x.Data(), yd, rows, H, D, pos.Data(), cos_cache.Data(), sin_cache.Data(), max_position,
                    0.f, layout));
  }
  m42_rotary_layout layout;
};

// Input checks shared by the CPU and CUDA MatMulInt4 kernels (MatMulNBits layout); sets the zero points (or
// nullptr) and M, the number of rows of A.
Ort::Status CheckMatMulInt4(const Ort::Custom::Tensor<float>& a, const Ort::Custom::Tensor<uint8_t>& b,
                            const Ort::Custom::Tensor<float>& scales,
                            std::optional<const Ort::Custom::Tensor<uint8_t>*> zero_points, int64_t K, int64_t N,
                            int64_t block, const uint8_t*& zp, int64_t& M) {
  const auto& shape = a.Shape();
  if (shape.empty() || shape.back() != K) return Invalid("MatMulInt4: A's last dimension must equal attribute K");
  const int64_t blocks = block > 0 ? K / block : 0;
  if (b.NumberOfElement() != N * blocks * (block / 2) || scales.NumberOfElement() != N * blocks)
    return Invalid("MatMulInt4: B must be [N, K/block, block/2] and scales [N*K/block]");
  zp = zero_points.has_value() && *zero_points != nullptr ? (*zero_points)->Data() : nullptr;
  if (zp && (*zero_points)->NumberOfElement() != N * ((blocks + 1) / 2))
    return Invalid("MatMulInt4: zero_points must be uint8 [N * ceil(K/block/2)]");
  M = Product(Leading(shape, 1));
  return Ort::Status{nullptr};
}

struct MatMulInt4 {
  MatMulInt4(const OrtApi*, const OrtKernelInfo* info)
      : K(AttrOr<int64_t>(info, "K", 0)), N(AttrOr<int64_t>(info, "N", 0)), block(AttrOr<int64_t>(info, "block_size", 32)) {}
  Ort::Status Compute(const Tensor<float>& a, const Tensor<uint8_t>& b, const Tensor<float>& scales,
                      std::optional<const Tensor<uint8_t>*> zero_points, Tensor<float>& y) {
    const uint8_t* zp = nullptr;
    int64_t M = 0;
    if (auto st = CheckMatMulInt4(a, b, scales, zero_points, K, N, block, zp, M); !st.IsOK()) return st;
    auto out_shape = a.Shape();
    out_shape.back() = N;
    float* yd = y.Allocate(out_shape);
    return ToOrt(m42_gemm_int4(Context(), a.Data(), b.Data(), scales.Data(), zp, M, N, K, block, yd));
  }
  int64_t K, N, block;
};

struct DequantInt4 {
  DequantInt4(const OrtApi*, const OrtKernelInfo* info)
      : K(AttrOr<int64_t>(info, "K", 0)), N(AttrOr<int64_t>(info, "N", 0)), block(AttrOr<int64_t>(info, "block_size", 32)) {}
  Ort::Status Compute(const Tensor<uint8_t>& b, const Tensor<float>& scales,
                      std::optional<const Tensor<uint8_t>*> zero_points, Tensor<float>& w) {
    if (K <= 0 || N <= 0 || block < 2) return Invalid("DequantInt4: attributes K, N and block_size must be positive");
    const int64_t blocks = (K + block - 1) / block, padded = blocks * block;
    if (b.NumberOfElement() != N * blocks * (block / 2) || scales.NumberOfElement() != N * blocks)
      return Invalid("DequantInt4: B must be uint8 [N, ceil(K/block), block/2] and scales [N*ceil(K/block)]");
    const uint8_t* zp = zero_points.has_value() && *zero_points != nullptr ? (*zero_points)->Data() : nullptr;
    if (zp && (*zero_points)->NumberOfElement() != N * ((blocks + 1) / 2))
      return Invalid("DequantInt4: zero_points must be uint8 [N * ceil(ceil(K/block)/2)]");
    float* wd = w.Allocate({N, K});
    if (padded == K) return ToOrt(m42_dequant_int4(Context(), b.Data(), scales.Data(), zp, N, K, block, wd));
    // Ragged K: the packed layout is exactly that of the padded [N, blocks*block] weight, so dequantise that
    // and drop each row's padding columns.
    std::vector<float> full(static_cast<size_t>(N * padded));
    if (auto s = ToOrt(m42_dequant_int4(Context(), b.Data(), scales.Data(), zp, N, padded, block, full.data())); !s.IsOK())
      return s;
    for (int64_t n = 0; n < N; ++n) std::copy_n(full.data() + n * padded, K, wd + n * K);
    return Ort::Status{nullptr};
  }
  int64_t K, N, block;
};

#ifdef MED42_ORT_CUDA
// ---- CUDA EP variants: same contracts and checks, device buffers, ORT's compute stream. ----------------

void* Stream(OrtKernelContext* ctx) { return Ort::KernelContext{ctx}.GetGPUComputeStream(); }

// Device scratch of `bytes` from ORT's allocator for the device input `index` lives on, released at scope exit
// (stream-ordered reuse, as ORT's own CUDA kernels do with their scratch).
struct Scratch {
  Scratch(OrtKernelContext* ctx, size_t index, size_t bytes)
      : allocator(Ort::KernelContext{ctx}.GetAllocator(
            *static_cast<const OrtMemoryInfo*>(Ort::KernelContext{ctx}.GetInput(index).GetTensorMemoryInfo()))),
        data(allocator.Alloc(bytes)) {}
  ~Scratch() { allocator.Free(data); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  Ort::Allocator allocator;
  void* data;
};

struct RmsNormCuda {
  RmsNormCuda(const OrtApi*, const OrtKernelInfo* info) : eps(AttrOr<float>(info, "epsilon", 1e-5f)) {}
  Ort::Status Compute(OrtKernelContext* ctx, const Tensor<float>& x, const Tensor<float>& w, Tensor<float>& y,
                      Tensor<float>& inv) {
    const auto& shape = x.Shape();
    int64_t rows = 0, C = 0;
    if (auto st = CheckRmsNorm(x, w, rows, C); !st.IsOK()) return st;
    float* yd = y.Allocate(shape);
    float* id = inv.Allocate(Leading(shape, 1));
    return ToOrt(m42_cuda_rms_norm_forward(Stream(ctx), M42_F32, x.Data(), nullptr, w.Data(), rows, C, eps, yd, id));
  }
  float eps;
};

struct RmsNormGradCuda {
  RmsNormGradCuda(const OrtApi*, const OrtKernelInfo*) {}
  Ort::Status Compute(OrtKernelContext* ctx, const Tensor<float>& dy, const Tensor<float>& x, const Tensor<float>& w,
                      const Tensor<float>& inv, Tensor<float>& dx, Tensor<float>& dw) {
    int64_t rows = 0, C = 0;
    if (auto st = CheckRmsNormGrad(dy, x, w, inv, rows, C); !st.IsOK()) return st;
    const auto& shape = x.Shape();
    float* dxd = dx.Allocate(shape);
    float* dwd = dw.Allocate({C});
    // fp32 partial dw rows, one per block of M42_RMS_NORM_BWD_ROWS rows (deterministic two-pass reduction).
    const int64_t parts = (rows + M42_RMS_NORM_BWD_ROWS - 1) / M42_RMS_NORM_BWD_ROWS;
    Scratch partial(ctx, 1, static_cast<size_t>(std::max<int64_t>(parts, 1) * C) * sizeof(float));
    return ToOrt(m42_cuda_rms_norm_backward(Stream(ctx), M42_F32, dy.Data(), x.Data(), w.Data(), inv.Data(), rows, C,
                                            dxd, dwd, static_cast<float*>(partial.data)));
  }
};

template <int Sign>
struct RotaryCuda {
  RotaryCuda(const OrtApi*, const OrtKernelInfo* info)
      : layout(AttrOr<int64_t>(info, "interleaved", 0) != 0 ? M42_ROTARY_INTERLEAVED : M42_ROTARY_HALF) {}
  Ort::Status Compute(OrtKernelContext* ctx, const Tensor<float>& x, const Tensor<int64_t>& pos,
                      const Tensor<float>& cos_cache, const Tensor<float>& sin_cache, Tensor<float>& y) {
    int64_t rows = 0, H = 0, D = 0, max_position = 0;
    if (auto st = CheckRotary(Sign > 0 ? "Rotary" : "RotaryGrad", x, pos, cos_cache, sin_cache, rows, H, D, max_position);
        !st.IsOK())
      return st;
    float* yd = y.Allocate(x.Shape());
    auto fn = Sign > 0 ? m42_cuda_rotary_forward : m42_cuda_rotary_backward;
    return ToOrt(fn(Stream(ctx), M42_F32, x.Data(), yd, rows, H, D, pos.Data(), cos_cache.Data(), sin_cache.Data(),
                    max_position, 0.f, layout));
  }
  m42_rotary_layout layout;
};

struct MatMulInt4Cuda {
  MatMulInt4Cuda(const OrtApi*, const OrtKernelInfo* info)
      : K(AttrOr<int64_t>(info, "K", 0)), N(AttrOr<int64_t>(info, "N", 0)), block(AttrOr<int64_t>(info, "block_size", 32)) {}
  Ort::Status Compute(OrtKernelContext* ctx, const Tensor<float>& a, const Tensor<uint8_t>& b, const Tensor<float>& scales,
                      std::optional<const Tensor<uint8_t>*> zero_points, Tensor<float>& y) {
    const uint8_t* zp = nullptr;
    int64_t M = 0;
    if (auto st = CheckMatMulInt4(a, b, scales, zero_points, K, N, block, zp, M); !st.IsOK()) return st;
    auto out_shape = a.Shape();
    out_shape.back() = N;
    float* yd = y.Allocate(out_shape);
    if (M == 1)  // decoding: fused dequant + matrix-vector product, no scratch
      return ToOrt(m42_cuda_matvec_int4(Stream(ctx), M42_F32, a.Data(), b.Data(), scales.Data(), zp, N, K, block, yd));
    if (N <= 0 || K <= 0) return Invalid("MatMulInt4: attributes K and N must be positive");
    Scratch w(ctx, 0, static_cast<size_t>(N * K) * sizeof(float));  // dequantised W [N, K]
    return ToOrt(m42_cuda_gemm_int4(Stream(ctx), M42_F32, a.Data(), b.Data(), scales.Data(), zp, M, N, K, block, w.data, yd));
  }
  int64_t K, N, block;
};
#endif  // MED42_ORT_CUDA

// The ops live for the life of the process: ORT keeps raw pointers to them after registration.
std::vector<std::unique_ptr<Ort::Custom::OrtLiteCustomOp>>& Ops() {
  static std::vector<std::unique_ptr<Ort::Custom::OrtLiteCustomOp>> ops;
  return ops;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) OrtStatus* ORT_API_CALL RegisterCustomOps(OrtSessionOptions* options,
                                                                                          const OrtApiBase* api_base) {
  Ort::InitApi(api_base->GetApi(ORT_API_VERSION));
  static std::mutex mutex;
  static std::unique_ptr<Ort::CustomOpDomain> domain;
  try {
    std::lock_guard<std::mutex> lock(mutex);
    if (!domain) {
      constexpr const char* kCpu = "CPUExecutionProvider";
      domain = std::make_unique<Ort::CustomOpDomain>("ai.med42");
      auto& ops = Ops();
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RmsNorm>("RmsNorm", kCpu));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RmsNormGrad>("RmsNormGrad", kCpu));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RotaryOp<+1>>("Rotary", kCpu));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RotaryOp<-1>>("RotaryGrad", kCpu));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<MatMulInt4>("MatMulInt4", kCpu));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<DequantInt4>("DequantInt4", kCpu));
#ifdef MED42_ORT_CUDA
      constexpr const char* kCuda = "CUDAExecutionProvider";
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RmsNormCuda>("RmsNorm", kCuda));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RmsNormGradCuda>("RmsNormGrad", kCuda));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RotaryCuda<+1>>("Rotary", kCuda));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<RotaryCuda<-1>>("RotaryGrad", kCuda));
      ops.emplace_back(Ort::Custom::CreateLiteCustomOp<MatMulInt4Cuda>("MatMulInt4", kCuda));
#endif
      for (auto& op : ops) domain->Add(op.get());
    }
    Ort::UnownedSessionOptions{options}.Add(*domain);
    return nullptr;
  } catch (const Ort::Exception& e) {
    return Ort::GetApi().CreateStatus(e.GetOrtErrorCode(), e.what());
  } catch (const std::exception& e) {
    return Ort::GetApi().CreateStatus(ORT_FAIL, e.what());
  }
}
