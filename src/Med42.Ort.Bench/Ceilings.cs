// Same-run ceilings the benchmarks report against, so ratios hold on a noisy machine:
// memory bandwidth (a large buffer copy) and ONNX Runtime's own large f32 MatMul rate.
using System.Diagnostics;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Bench;

internal static class Ceilings
{
    /// <summary>Bytes moved per second (read + write) copying a 256 MiB buffer on <paramref name="threads"/> threads.</summary>
    public static double CopyBandwidth(int threads)
    {
        const int size = 256 << 20;
        var src = new byte[size];
        var dst = new byte[size];
        Random.Shared.NextBytes(src.AsSpan(0, 4096));
        var chunk = size / threads;
        void Copy() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => src.AsSpan(t * chunk, chunk).CopyTo(dst.AsSpan(t * chunk, chunk)));
        Copy();
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var w = Stopwatch.StartNew();
            Copy();
            best = Math.Min(best, w.Elapsed.TotalSeconds);
        }
        return 2.0 * size / best;
    }

    /// <summary>GFLOP/s of one [M,K]×[K,N] f32 MatMul in ONNX Runtime; the weight is a constant (pre-packed) or an input.</summary>
    public static double MatMulGflops(int threads, bool weightIsConstant, int m = 512, int k = 2048, int n = 2048)
    {
        var b = new GraphBuilder("matmul_ceiling");
        var x = b.Input("x", DType.F32, m, k);
        var wData = new float[k * n];
        for (var i = 0; i < wData.Length; i++) wData[i] = (i % 17 - 8) * 0.01f;
        var w = weightIsConstant ? b.Initializer("w", TensorSource.FromFloats([k, n], wData)) : b.Input("w", DType.F32, k, n);
        b.Output(b.MatMul(x, w), "y");
        using var session = new SessionSettings { Threads = threads }.CreateSession(OnnxExport.ToBytes(b.Graph));
        var xData = new float[m * k];
        using var xv = OrtValue.CreateTensorValueFromMemory(xData, [m, k]);
        using var wv = OrtValue.CreateTensorValueFromMemory(wData, [k, n]);
        var names = weightIsConstant ? new[] { "x" } : ["x", "w"];
        var values = weightIsConstant ? new[] { xv } : [xv, wv];
        using var run = new RunOptions();
        double Once()
        {
            var watch = Stopwatch.StartNew();
            using var outputs = session.Run(run, names, values, ["y"]);
            return watch.Elapsed.TotalSeconds;
        }
        Once();
        var best = Enumerable.Range(0, 5).Min(_ => Once());
        return 2.0 * m * k * n / best / 1e9;
    }
}
