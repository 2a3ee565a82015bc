// Managed API over libmed42_native's CUDA fused AdamW on device buffers (raw device pointers as nint, stream =
// cudaStream_t as nint, 0 = default stream; fp32 param/grad/m/v, optional fp16/bf16 copy of the parameters). Kept in
// src although no production code calls it yet: it is the device optimizer step of the CUDA training backend
// (parameters, gradients and moments resident on the device, updated in place on ONNX Runtime's stream). In a
// CPU-only build every call throws NativeKernelException with Code = Unsupported.
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native;

public static class CudaKernels
{
    public static void AdamWStep(nint stream, nint param, nint grad, nint m, nint v, long n, float lr, float beta1,
        float beta2, float eps, float weightDecay, long step, NativeDType copyDType, nint copyOut) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaAdamWStep(stream, param, grad, m, v, n, lr, beta1, beta2, eps,
            weightDecay, step, copyDType, copyOut));
}
