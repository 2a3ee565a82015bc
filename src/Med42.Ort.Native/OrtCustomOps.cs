// Where libmed42_ort_ops (the ai.med42 ONNX Runtime custom ops, native/src/ort/custom_ops.cpp) lives,
// for SessionSettings.CustomOpLibraries. Searched like libmed42_native (NativeLibraryResolver: beside the
// assembly, runtimes/<rid>/native, $MED42_NATIVE_DIR). The library links the kernels statically, so it
// needs nothing else from native/ at load time.
using Med42.Ort.Core.Errors;
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native;

public static class OrtCustomOps
{
    public const string LibraryName = "med42_ort_ops";
    /// <summary>The custom-op domain the library registers (RmsNorm, RmsNormGrad, Rotary, RotaryGrad, MatMulInt4).</summary>
    public const string Domain = "ai.med42";

    private static readonly Lazy<string?> Found = new(() =>
        NativeLibraryResolver.Candidates(LibraryName).FirstOrDefault(File.Exists));

    /// <summary>Full path of libmed42_ort_ops, or null when it was not built/shipped.</summary>
    public static string? LibraryPath => Found.Value;

    public static bool IsAvailable => LibraryPath is not null;

    /// <summary>The library path; a Med42Exception naming <paramref name="what"/> and the searched paths when it is missing.</summary>
    public static string RequireLibrary(string what = "--kernels native") =>
        LibraryPath ?? throw new Med42Exception(
            $"{what}: {NativeLibraryResolver.FileName(LibraryName)} not found (searched {string.Join(", ", NativeLibraryResolver.Candidates(LibraryName))}); " +
            "build native/ with cmake and a C++ compiler (docs/native.md) or use --kernels onnx");

    /// <summary>The libraries a session must register for graphs built with the given kernels choice (none for ONNX ops).</summary>
    public static IReadOnlyList<string> LibrariesFor(bool nativeKernels, string what = "--kernels native") =>
        nativeKernels ? [RequireLibrary(what)] : [];
}
