// The P/Invoke surface of libmed42_native (native/include/med42.h) that production uses, one [LibraryImport] per
// function: library version, status and context handles, the fused AdamW steps. The standalone RMSNorm, rotary and
// int4 kernels, which production runs only inside the ai.med42 custom ops, are declared in
// tests/Med42.Ort.Native.TestSupport for the tests that call them. Every m42_status* comes back as a StatusHandle
// and every caller passes it to NativeStatus.ThrowIfFailed (checked, with med42.h coverage, by
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

    [LibraryImport(Library, EntryPoint = "m42_adamw_step")]
    internal static partial StatusHandle AdamWStep(ContextHandle ctx, float* param, float* grad, float* m, float* v,
        long n, float lr, float beta1, float beta2, float eps, float weightDecay, long step, NativeDType copyDType,
        void* copyOut);
}
