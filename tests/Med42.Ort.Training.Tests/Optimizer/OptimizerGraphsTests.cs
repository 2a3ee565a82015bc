// The optimizer graphs run through OptimizerSessions on buffers from DeviceMemory (the CPU EP here: the code the CUDA
// EP runs), updated in place, against the host arithmetic they replace: AdamW.cs (torch.optim.AdamW in float32, the
// same operations in the same order, so bitwise), g·s and a += g elementwise (bitwise) and Σ g² accumulated in double
// (the graph's ReduceSum adds in another order: 1e-12 relative is far above double rounding over 10^3 terms, far
// below any float32 effect).
using Med42.Ort.Runtime;
using Med42.Ort.Training.Optimizer;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Optimizer;

public class OptimizerGraphsTests
{
    private static readonly SessionSettings Cpu = new() { Threads = 1 };
    private static readonly (string Name, long[] Shape, bool Decays)[] Shapes = [("w", [7, 5], true), ("norm", [9], false), ("b", [3, 2, 4], true)];

    private sealed class Fixture : IDisposable
    {
        public readonly DeviceMemory Memory = new(Cpu);
        public readonly List<ResidentTensor> Tensors = [];
        public readonly OptimizerSessions Sessions;

        public Fixture()
        {
            foreach (var (name, shape, decays) in Shapes)
                Tensors.Add(new ResidentTensor(new OptimizedTensor(name, shape, decays), Memory.Allocate(shape), Memory.Allocate(shape), Memory.Allocate(shape), Memory.Allocate(shape)));
            Sessions = new OptimizerSessions(Cpu, Tensors);
        }

        public float[] Read(Microsoft.ML.OnnxRuntime.OrtValue v)
        {
            var host = new float[v.GetTensorTypeAndShape().ElementCount];
            Memory.Download(v, host);
            return host;
        }

        public void Dispose()
        {
            Sessions.Dispose();
            foreach (var t in Tensors) { t.Value.Dispose(); t.Grad.Dispose(); t.M.Dispose(); t.V.Dispose(); }
            Memory.Dispose();
        }
    }

    private static float[] Random(Random rng, long n, double scale) => Enumerable.Range(0, (int)n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    [Fact]
    public void AdamWGraphIsBitwiseAdamW()
    {
        using var f = new Fixture();
        var rng = new Random(5);
        var o = new AdamWOptions(0.9, 0.95, 1e-8, 0.1);
        var host = f.Tensors.Select(t => (P: Random(rng, Count(t), 1), M: new float[Count(t)], V: new float[Count(t)])).ToList();
        for (var i = 0; i < host.Count; i++)
        {
            f.Memory.Upload(host[i].P, f.Tensors[i].Value);
            f.Memory.Upload(host[i].M, f.Tensors[i].M);
            f.Memory.Upload(host[i].V, f.Tensors[i].V);
        }
        for (var t = 1; t <= 4; t++)
        {
            var lr = 1e-3 * t;
            for (var i = 0; i < host.Count; i++)
            {
                // Gradients spanning many magnitudes, including tiny ones where ε matters.
                var g = Random(rng, Count(f.Tensors[i]), Math.Pow(10, -rng.Next(0, 9)));
                f.Memory.Upload(g, f.Tensors[i].Grad);
                AdamW.Step(host[i].P, g, host[i].M, host[i].V, lr, t, o, f.Tensors[i].Tensor.Decays);
            }
            f.Sessions.AdamW(lr, t, o);
            for (var i = 0; i < host.Count; i++)
            {
                Assert.Equal(host[i].M, f.Read(f.Tensors[i].M));
                Assert.Equal(host[i].V, f.Read(f.Tensors[i].V));
                Assert.Equal(host[i].P, f.Read(f.Tensors[i].Value));
            }
        }
    }

    [Fact]
    public void ScaleAndNormScaleInPlaceAndSumSquaresInDouble()
    {
        using var f = new Fixture();
        var rng = new Random(6);
        var grads = f.Tensors.Select(t => Random(rng, Count(t), 3)).ToList();
        for (var i = 0; i < grads.Count; i++) f.Memory.Upload(grads[i], f.Tensors[i].Grad);
        const float scale = 1f / 37;
        var sq = f.Sessions.ScaleAndNorm(scale);
        double expected = 0;
        for (var i = 0; i < grads.Count; i++)
        {
            var scaled = grads[i].Select(x => x * scale).ToArray();
            Assert.Equal(scaled, f.Read(f.Tensors[i].Grad));
            expected += scaled.Sum(x => (double)x * x);
        }
        Assert.Equal(expected, sq, 1e-12 * expected);
        f.Sessions.Scale(0.5f);   // clipping: ×0.5 is exact
        for (var i = 0; i < grads.Count; i++)
            Assert.Equal(grads[i].Select(x => x * scale * 0.5f).ToArray(), f.Read(f.Tensors[i].Grad));
    }

    [Fact]
    public void AccumulateAddsTheAddendsInPlace()
    {
        using var f = new Fixture();
        var rng = new Random(7);
        var addends = f.Tensors.Select(t => f.Memory.Allocate(t.Tensor.Shape)).ToList();
        try
        {
            var a = f.Tensors.Select(t => Random(rng, Count(t), 1)).ToList();
            var sum = a.Select(x => (float[])x.Clone()).ToList();
            for (var i = 0; i < a.Count; i++) f.Memory.Upload(a[i], f.Tensors[i].Grad);
            for (var k = 0; k < 2; k++)
            {
                for (var i = 0; i < a.Count; i++)
                {
                    var g = Random(rng, Count(f.Tensors[i]), 1);
                    f.Memory.Upload(g, addends[i]);
                    for (var j = 0; j < g.Length; j++) sum[i][j] += g[j];
                }
                f.Sessions.Accumulate(addends);
                for (var i = 0; i < a.Count; i++) Assert.Equal(sum[i], f.Read(f.Tensors[i].Grad));
            }
        }
        finally
        {
            foreach (var v in addends) v.Dispose();
        }
    }

    [Fact]
    public void UploadAndDownloadRoundTripBitwise()
    {
        using var memory = new DeviceMemory(Cpu);
        using var v = memory.Allocate([4, 3]);
        float[] data = [1f, -0f, float.Epsilon, float.MaxValue, 3.25f, -7f, 1e-30f, 2f, 0.1f, -0.2f, 1e30f, 5f];
        memory.Upload(data, v);
        var back = new float[12];
        memory.Download(v, back);
        Assert.Equal(data.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal("Cpu", memory.Location);
    }

    private static long Count(ResidentTensor t) => t.Tensor.Shape.Aggregate(1L, (a, b) => a * b);
}
