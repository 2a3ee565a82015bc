// Kernel tests need libmed42_native / libmed42_ort_ops (built by Med42.Ort.Native's CMake step). They skip
// when the libraries were not built (no cmake/compiler) and fail instead when CI is set, so CI cannot pass
// without exercising the native kernels.
using Med42.Ort.Native;

namespace Med42.Ort.Training.Tests.Kernels;

internal static class NativeRequired
{
    /// <summary>Path of libmed42_ort_ops (skips or, under CI, fails when missing).</summary>
    public static string OrtOpsLibrary() => OrtCustomOps.LibraryPath ?? Missing("libmed42_ort_ops not built");

    public static void NativeKernels()
    {
        if (!Native.NativeKernels.IsAvailable) Missing("libmed42_native unavailable: " + Native.NativeKernels.UnavailableReason);
    }

    private static string Missing(string message)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) throw new InvalidOperationException(message + " — required when CI is set");
        throw new SkipException(message);
    }
}
