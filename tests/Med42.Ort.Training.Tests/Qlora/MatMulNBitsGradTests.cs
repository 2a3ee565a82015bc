// The MatMulNBits gradient rule (src/Med42.Ort.Graph/Autodiff/Rules/MatMulNBitsGrad.cs): dA = dY·DequantInt4(...)
// run through ONNX Runtime + libmed42_ort_ops in float32, against float64 central differences of the composite
// loss Σ r ⊙ (x·W'ᵀ) computed naively in C# from Int4Weight.Dequantize (the independent reference; the packed
// weights are frozen and get no gradient).
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter MatMulNBitsGradTests
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared.Autodiff;
using Med42.Ort.Training.Tests.Kernels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Tests.Qlora;

public class MatMulNBitsGradTests
{
    // GradCheck's h = 1e-5: the loss is linear in x, so truncation vanishes and rounding ε·|L|/h ≲ 1e-10.
    // Float32 analytic gradients (sums of N ≤ 24 O(1) products, ~1e-6 relative rounding) vs float64 differences:
    // GradCheck.Float32RelTol (1e-4 relative to max(|g|, |fd|, 1e-3)), as for FusedMatMul and the native kernels.

    [SkippableTheory]
    [InlineData(24, 64, 32, false)]
    [InlineData(7, 40, 16, true)]    // ragged K (40 = 2.5 blocks) with zero points
    public void InputGradientMatchesFiniteDifferences(int n, int k, int blockSize, bool asymmetric)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var w = Int4Graphs.RandomWeight(n, k, blockSize, asymmetric, seed: n + k);
        long[] xShape = [2, 3, k], yShape = [2, 3, n];
        var rng = new Random(7);
        var x = Enumerable.Range(0, 6 * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var r = Enumerable.Range(0, 6 * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

        var b = new GraphBuilder("matmulnbits_grad");
        var xv = b.Input("x", DType.F32, xShape.Select(Dim.Of).ToArray());
        var rv = b.Input("r", DType.F32, yShape.Select(Dim.Of).ToArray());
        var y = Int4Graphs.MatMulNBits(b, xv, w);
        var loss = b.ReduceSum(b.Mul(y, rv), [0, 1, 2], keepDims: false);
        b.Output(loss, "loss");
        var grads = Differentiator.Gradients(b, loss, [xv]);
        b.Output(grads[0] ?? throw new InvalidOperationException("x got no gradient"), "x_grad");
        Assert.Contains(b.Graph.Nodes, node => node.Domain == Graph.GraphBuilder.Med42Domain && node.OpType == "DequantInt4");

        using var s = new SessionSettings { CustomOpLibraries = [lib] }.CreateSession(OnnxExport.ToBytes(b.Graph));
        using var res = s.Run([
            NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, xShape.Select(d => (int)d).ToArray())),
            NamedOnnxValue.CreateFromTensor("r", new DenseTensor<float>(r, yShape.Select(d => (int)d).ToArray())),
        ], ["x_grad"]);
        var analytic = res[0].AsTensor<float>().ToArray();

        var wd = w.Dequantize().Select(v => (double)v).ToArray();
        var xd = x.Select(v => (double)v).ToArray();
        double Loss()
        {
            double sum = 0;
            for (var row = 0; row < 6; row++)
                for (var j = 0; j < n; j++)
                {
                    double dot = 0;
                    for (var i = 0; i < k; i++) dot += xd[row * k + i] * wd[j * k + i];
                    sum += r[row * n + j] * dot;
                }
            return sum;
        }
        for (var i = 0; i < xd.Length; i++)
            GradCheck.AssertClose(analytic[i], GradCheck.Central(Loss, xd, i), $"dL/dx[{i}]", GradCheck.Float32RelTol);
    }

    [Fact]
    public void PackedOperandsGetNoGradient()
    {
        var w = Int4Graphs.RandomWeight(4, 32, 32, asymmetric: false, seed: 1);
        var b = new GraphBuilder("matmulnbits_frozen");
        var x = b.Input("x", DType.F32, 2, 32);
        var loss = b.ReduceSum(Int4Graphs.MatMulNBits(b, x, w), [0, 1], keepDims: false);
        // The float scales are the only differentiable-typed operand: the rule refuses rather than returning zeros.
        var scales = b.Graph.Initializers.Single(i => i.Value.Name == "w.scales").Value;
        var e = Assert.Throws<NotSupportedException>(() => Differentiator.Gradients(b, loss, [scales]));
        Assert.Contains("frozen", e.Message);
    }
}
