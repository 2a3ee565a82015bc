// Execution-provider choice. CUDA comes from the GPU flavour of ONNX Runtime
// (build with -p:OrtFlavour=cuda, see docs/cuda.md); asking for it elsewhere fails, never falls back.
using Med42.Ort.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Runtime;

public enum Device { Cpu, Cuda }

public sealed record SessionSettings
{
    public Device Device { get; init; } = Device.Cpu;
    public int CudaDeviceId { get; init; }
    /// <summary>Intra-op threads; 0 = ONNX Runtime's default (one per physical core).</summary>
    public int Threads { get; init; }
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    /// <summary>Custom-op libraries to register (the native kernels' ai.med42 ops).</summary>
    public IReadOnlyList<string> CustomOpLibraries { get; init; } = [];

    public SessionOptions CreateOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = Optimization, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (Threads > 0)
        {
            o.IntraOpNumThreads = Threads;
            o.InterOpNumThreads = 1;
        }
        foreach (var lib in CustomOpLibraries) o.RegisterCustomOpLibrary(lib);
        // MED42_ORT_PROFILE=<path prefix>: ONNX Runtime's per-node JSON profile of every session (written when
        // the session is disposed), for finding where a graph spends its time.
        if (Environment.GetEnvironmentVariable("MED42_ORT_PROFILE") is { Length: > 0 } profile)
        {
            o.ProfileOutputPathPrefix = profile;   // before EnableProfiling, which reads it
            o.EnableProfiling = true;
        }
        if (Device == Device.Cuda)
        {
            if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            {
                o.Dispose();
                throw new Med42Exception("--device cuda: this build of ONNX Runtime has no CUDA execution provider " +
                    "(build with `dotnet build -c Release -p:OrtFlavour=cuda`, see docs/cuda.md); not falling back to CPU");
            }
            try { o.AppendExecutionProvider_CUDA(CudaDeviceId); }
            catch (OnnxRuntimeException e)
            {
                o.Dispose();
                throw new Med42Exception($"--device cuda: the CUDA execution provider failed to start ({e.Message}); not falling back to CPU");
            }
        }
        return o;
    }

    public InferenceSession CreateSession(byte[] model)
    {
        using var o = CreateOptions();
        return new InferenceSession(model, o);
    }

    public InferenceSession CreateSession(string modelPath)
    {
        using var o = CreateOptions();
        return new InferenceSession(modelPath, o);
    }
}
