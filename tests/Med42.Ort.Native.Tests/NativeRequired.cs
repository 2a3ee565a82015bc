// Tests of the native library skip when libmed42_native was not built (no cmake/compiler), and
// fail instead when CI is set, so CI can never pass without exercising the kernels.
using Med42.Ort.Native;

namespace Med42.Ort.Native.Tests;

internal static class NativeRequired
{
    public static void Check()
    {
        if (NativeKernels.IsAvailable) return;
        var message = "libmed42_native unavailable: " + NativeKernels.UnavailableReason;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) throw new InvalidOperationException(message + " — required when CI is set");
        throw new SkipException(message);
    }

    /// <summary>Full path of the ONNX Runtime custom-op library beside the test assembly.</summary>
    public static string OrtOpsLibrary()
    {
        Check();
        var path = Path.Combine(AppContext.BaseDirectory, "libmed42_ort_ops.so");
        if (File.Exists(path)) return path;
        var message = "libmed42_ort_ops.so not built (ONNX Runtime headers not found by CMake)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) throw new InvalidOperationException(message);
        throw new SkipException(message);
    }
}
