// P/Invoke declarations of the m42_cuda_* entry points (device pointers, a cudaStream_t as nint).
// In a CPU-only build of libmed42_native they exist and return NativeErrorCode.Unsupported.
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, EntryPoint = "m42_cuda_rms_norm_forward")]
    internal static partial StatusHandle CudaRmsNormForward(nint stream, NativeDType dtype, nint x, nint residual,
        nint w, long rows, long c, float eps, nint y, nint invRms);

    [LibraryImport(Library, EntryPoint = "m42_cuda_rms_norm_backward")]
    internal static partial StatusHandle CudaRmsNormBackward(nint stream, NativeDType dtype, nint dy, nint x, nint w,
        nint invRms, long rows, long c, nint dx, nint dw, nint dwPartial);

    [LibraryImport(Library, EntryPoint = "m42_cuda_rotary_forward")]
    internal static partial StatusHandle CudaRotaryForward(nint stream, NativeDType dtype, nint x, nint y, long rows,
        long h, long d, nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(Library, EntryPoint = "m42_cuda_rotary_backward")]
    internal static partial StatusHandle CudaRotaryBackward(nint stream, NativeDType dtype, nint dy, nint dx, long rows,
        long h, long d, nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(Library, EntryPoint = "m42_cuda_dequant_int4")]
    internal static partial StatusHandle CudaDequantInt4(nint stream, NativeDType dtype, nint b, nint scales,
        nint zeroPoints, long n, long k, long block, nint w);

    [LibraryImport(Library, EntryPoint = "m42_cuda_matvec_int4")]
    internal static partial StatusHandle CudaMatVecInt4(nint stream, NativeDType dtype, nint x, nint b, nint scales,
        nint zeroPoints, long n, long k, long block, nint y);

    [LibraryImport(Library, EntryPoint = "m42_cuda_gemm_int4")]
    internal static partial StatusHandle CudaGemmInt4(nint stream, NativeDType dtype, nint a, nint b, nint scales,
        nint zeroPoints, long m, long n, long k, long block, nint wScratch, nint y);

    [LibraryImport(Library, EntryPoint = "m42_cuda_adamw_step")]
    internal static partial StatusHandle CudaAdamWStep(nint stream, nint param, nint grad, nint m, nint v, long n,
        float lr, float beta1, float beta2, float eps, float weightDecay, long step, NativeDType copyDType, nint copyOut);
}
