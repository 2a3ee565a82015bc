// The P/Invoke surface of libmed42_native (native/include/med42.h), one [LibraryImport] per exported
// function; nothing else in the codebase declares native entry points. Every m42_status* comes back
// as a StatusHandle and every caller passes it to NativeStatus.ThrowIfFailed (checked by
// tests/Med42.Ort.Native.Tests/InteropSurfaceTests.cs).
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

internal static unsafe partial class NativeMethods
{
    internal const string Library = "med42_native";

    /// <summary>The value of M42_API_VERSION this binding was written against.</summary>
    internal const int ExpectedApiVersion = 1;

    [LibraryImport(Library, EntryPoint = "m42_api_version")]
    internal static partial int ApiVersion();

    [LibraryImport(Library, EntryPoint = "m42_cuda_available")]
    internal static partial int CudaAvailable();

    [LibraryImport(Library, EntryPoint = "m42_status_code")]
    internal static partial NativeErrorCode StatusCode(nint status);

    [LibraryImport(Library, EntryPoint = "m42_status_message")]
    internal static partial nint StatusMessage(nint status);

    [LibraryImport(Library, EntryPoint = "m42_status_free")]
    internal static partial void StatusFree(nint status);

    [LibraryImport(Library, EntryPoint = "m42_context_create")]
    internal static partial StatusHandle ContextCreate(KernelChoice kernels, out ContextHandle context);

    [LibraryImport(Library, EntryPoint = "m42_context_free")]
    internal static partial void ContextFree(nint context);

    [LibraryImport(Library, EntryPoint = "m42_rms_norm_forward")]
    internal static partial StatusHandle RmsNormForward(ContextHandle ctx, float* x, float* residual, float* w,
        long rows, long c, float eps, float* y, float* invRms);

    [LibraryImport(Library, EntryPoint = "m42_rms_norm_backward")]
    internal static partial StatusHandle RmsNormBackward(ContextHandle ctx, float* dy, float* x, float* w,
        float* invRms, long rows, long c, float* dx, float* dw);

    [LibraryImport(Library, EntryPoint = "m42_rotary_forward")]
    internal static partial StatusHandle RotaryForward(ContextHandle ctx, float* x, float* y, long rows, long h,
        long d, long* positionIds, float* cosCache, float* sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(Library, EntryPoint = "m42_rotary_backward")]
    internal static partial StatusHandle RotaryBackward(ContextHandle ctx, float* dy, float* dx, long rows, long h,
        long d, long* positionIds, float* cosCache, float* sinCache, long maxPosition, float theta, RotaryLayout layout);

    [LibraryImport(Library, EntryPoint = "m42_dequant_int4")]
    internal static partial StatusHandle DequantInt4(ContextHandle ctx, byte* b, float* scales, byte* zeroPoints,
        long n, long k, long block, float* w);

    [LibraryImport(Library, EntryPoint = "m42_matvec_int4")]
    internal static partial StatusHandle MatVecInt4(ContextHandle ctx, float* x, byte* b, float* scales,
        byte* zeroPoints, long n, long k, long block, float* y);

    [LibraryImport(Library, EntryPoint = "m42_gemm_int4")]
    internal static partial StatusHandle GemmInt4(ContextHandle ctx, float* a, byte* b, float* scales,
        byte* zeroPoints, long m, long n, long k, long block, float* y);

    [LibraryImport(Library, EntryPoint = "m42_adamw_step")]
    internal static partial StatusHandle AdamWStep(ContextHandle ctx, float* param, float* grad, float* m, float* v,
        long n, float lr, float beta1, float beta2, float eps, float weightDecay, long step, NativeDType copyDType,
        void* copyOut);
}
