// The P/Invoke declarations of libmed42_native's standalone kernels (native/include/med42.h) that only tests call:
// RMSNorm, rotary and int4, CPU (context + host pointers) and CUDA (device pointers, a cudaStream_t as nint; in a
// CPU-only build they exist and return NativeErrorCode.Unsupported). Every m42_status* comes back as a StatusHandle
// and every caller passes it to NativeStatus.ThrowIfFailed (InteropSurfaceTests checks this assembly and src's
// NativeMethods together against med42.h).
using System.Runtime.InteropServices;
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native.TestSupport;

internal static unsafe partial class KernelMethods
{
    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_rms_norm_forward")]
    internal static partial StatusHandle RmsNormForward(ContextHandle ctx, float* x, float* residual, float* w,
        long rows, long c, float eps, float* y, float* invRms);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_rms_norm_backward")]
    internal static partial StatusHandle RmsNormBackward(ContextHandle ctx, float* dy, float* x, float* w,
        float* invRms, long rows, long c, float* dx, float* dw);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_rotary_forward")]
    internal static partial StatusHandle RotaryForward(ContextHandle ctx, float* x, float* y, long rows, long h,
        long d, long* positionIds, float* cosCache, float* sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_rotary_backward")]
    internal static partial StatusHandle RotaryBackward(ContextHandle ctx, float* dy, float* dx, long rows, long h,
        long d, long* positionIds, float* cosCache, float* sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_dequant_int4")]
    internal static partial StatusHandle DequantInt4(ContextHandle ctx, byte* b, float* scales, byte* zeroPoints,
        long n, long k, long block, float* w);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_matvec_int4")]
    internal static partial StatusHandle MatVecInt4(ContextHandle ctx, float* x, byte* b, float* scales,
        byte* zeroPoints, long n, long k, long block, float* y);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_gemm_int4")]
    internal static partial StatusHandle GemmInt4(ContextHandle ctx, float* a, byte* b, float* scales,
        byte* zeroPoints, long m, long n, long k, long block, float* y);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_rms_norm_forward")]
    internal static partial StatusHandle CudaRmsNormForward(nint stream, NativeDType dtype, nint x, nint residual,
        nint w, long rows, long c, float eps, nint y, nint invRms);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_rms_norm_backward")]
    internal static partial StatusHandle CudaRmsNormBackward(nint stream, NativeDType dtype, nint dy, nint x, nint w,
        nint invRms, long rows, long c, nint dx, nint dw, nint dwPartial);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_rotary_forward")]
    internal static partial StatusHandle CudaRotaryForward(nint stream, NativeDType dtype, nint x, nint y, long rows,
        long h, long d, nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_rotary_backward")]
    internal static partial StatusHandle CudaRotaryBackward(nint stream, NativeDType dtype, nint dy, nint dx, long rows,
        long h, long d, nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_dequant_int4")]
    internal static partial StatusHandle CudaDequantInt4(nint stream, NativeDType dtype, nint b, nint scales,
        nint zeroPoints, long n, long k, long block, nint w);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_matvec_int4")]
    internal static partial StatusHandle CudaMatVecInt4(nint stream, NativeDType dtype, nint x, nint b, nint scales,
        nint zeroPoints, long n, long k, long block, nint y);

    [LibraryImport(NativeMethods.Library, EntryPoint = "m42_cuda_gemm_int4")]
    internal static partial StatusHandle CudaGemmInt4(nint stream, NativeDType dtype, nint a, nint b, nint scales,
        nint zeroPoints, long m, long n, long k, long block, nint wScratch, nint y);

    // This assembly's imports find libmed42_native the way src's do (beside the assembly, runtimes/, $MED42_NATIVE_DIR).
    // CA2255 warns libraries off module initializers; registering the resolver before any import can run is its purpose.
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver() => NativeLibraryResolver.RegisterFor(typeof(KernelMethods).Assembly);
}
