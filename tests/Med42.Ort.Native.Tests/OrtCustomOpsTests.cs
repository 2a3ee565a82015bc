// OrtCustomOps: the path helper sessions use to register libmed42_ort_ops (--kernels native). It finds the
// library the build copied beside this test assembly, and the path it returns registers in an ONNX Runtime
// session (RegisterCustomOpLibrary fails on a file that is not a custom-op library).
using Med42.Ort.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Native.Tests;

public class OrtCustomOpsTests
{
    [SkippableFact]
    public void FindsTheBuiltLibraryAndItRegisters()
    {
        var expected = NativeRequired.OrtOpsLibrary();
        Assert.True(OrtCustomOps.IsAvailable);
        Assert.Equal(Path.GetFullPath(expected), Path.GetFullPath(OrtCustomOps.RequireLibrary()));
        Assert.Equal([OrtCustomOps.LibraryPath!], OrtCustomOps.LibrariesFor(nativeKernels: true));
        Assert.Empty(OrtCustomOps.LibrariesFor(nativeKernels: false));
        using var o = new SessionOptions();
        o.RegisterCustomOpLibrary(OrtCustomOps.RequireLibrary());
    }

    [Fact]
    public void MissingLibraryIsAMed42ExceptionOnlyWhenNativeIsAsked()
    {
        if (OrtCustomOps.IsAvailable)
        {
            Assert.Single(OrtCustomOps.LibrariesFor(true));
            return;
        }
        Assert.Empty(OrtCustomOps.LibrariesFor(false));   // --kernels onnx never needs the library
        var e = Assert.Throws<Med42Exception>(() => OrtCustomOps.LibrariesFor(true, "--kernels native"));
        Assert.Contains("--kernels native", e.Message);
        Assert.Contains("libmed42_ort_ops", e.Message);
    }
}
