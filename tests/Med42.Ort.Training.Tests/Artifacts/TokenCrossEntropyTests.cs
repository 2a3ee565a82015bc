// TokenCrossEntropy: the loss against a direct float64 log-sum-exp loop, and its hand-written logits gradient
// against float64 central finite differences of the same graph's loss, with ignored (−100) and repeated labels.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter TokenCrossEntropyTests
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared.Autodiff;
using Med42.Ort.Training.Artifacts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Tests.Artifacts;

public class TokenCrossEntropyTests
{
    private const int B = 2, T = 3, V = 7;
    // Ignored positions in both rows, label 2 repeated, labels at both ends of the vocabulary.
    private static readonly long[] Labels = [2, -100, 6, 0, 2, -100];
    // GradCheck's central differences (h = 1e-5, float64): truncation ~h²·f‴ ≈ 1e-10, rounding ~ε·|f|/h ≈ 1e-10
    // (|f| ≲ 10); an absolute 1e-7 keeps three orders of margin (softmax gradients are O(1), never tiny here).
    private const double Tol = 1e-7;

    private static InferenceSession Session()
    {
        var b = new GraphBuilder("token_cross_entropy");
        var logits = b.Input("logits", DType.F64, Dim.Of(B), Dim.Of(T), Dim.Of(V));
        var labels = b.Input("labels", DType.I64, Dim.Of(B), Dim.Of(T));
        var ce = TokenCrossEntropy.Build(b, logits, labels);
        b.Output(ce.Loss, "loss");
        b.Output(ce.Count, "target_count");
        b.Output(ce.LogitsGradient(b), "logits_grad");
        return new SessionSettings { Threads = 1 }.CreateSession(OnnxExport.ToBytes(b.Graph));
    }

    private static double[] Run(InferenceSession s, double[] x, string output)
    {
        using var r = s.Run([
            NamedOnnxValue.CreateFromTensor("logits", new DenseTensor<double>(x.ToArray(), [B, T, V])),
            NamedOnnxValue.CreateFromTensor("labels", new DenseTensor<long>(Labels.ToArray(), [B, T])),
        ], [output]);
        return r[0].AsTensor<double>().ToArray();
    }

    private static double[] RandomLogits()
    {
        var rng = new Random(5);
        return Enumerable.Range(0, B * T * V).Select(_ => 6 * rng.NextDouble() - 3).ToArray();
    }

    [Fact]
    public void LossIsTheSummedNegativeLogLikelihoodOfTheTargets()
    {
        using var s = Session();
        var x = RandomLogits();
        double expected = 0;
        for (var t = 0; t < B * T; t++)
        {
            if (Labels[t] == -100) continue;
            var row = x.AsSpan(t * V, V).ToArray();
            var max = row.Max();
            expected -= row[Labels[t]] - (max + Math.Log(row.Sum(v => Math.Exp(v - max))));
        }
        Assert.Equal(expected, Run(s, x, "loss")[0], 1e-12);
        Assert.Equal(Labels.Count(l => l != -100), Run(s, x, "target_count")[0]);
    }

    [Fact]
    public void LogitsGradientMatchesFiniteDifferences()
    {
        using var s = Session();
        var x = RandomLogits();
        var analytic = Run(s, x, "logits_grad");
        Assert.Equal(B * T * V, analytic.Length);
        for (var j = 0; j < x.Length; j++)
        {
            var numeric = GradCheck.Central(() => Run(s, x, "loss")[0], x, j);
            Assert.True(Math.Abs(analytic[j] - numeric) <= Tol, $"d loss/d logits[{j}]: analytic {analytic[j]:R}, finite difference {numeric:R}");
        }
        // Ignored rows get exactly zero; a target row's gradient sums to zero (softmax minus one-hot).
        Assert.All(analytic.AsSpan(1 * V, V).ToArray(), g => Assert.Equal(0.0, g));
        Assert.Equal(0.0, analytic.AsSpan(0, V).ToArray().Sum(), 1e-12);
    }
}
