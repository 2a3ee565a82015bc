// The finite-difference harness of every gradient test (compiled into Graph.Tests and Training.Tests):
// builds f(x…) = Σ op(x…) ⊙ R for a fixed random R, differentiates it with Differentiator, runs the
// gradient graph on ONNX Runtime, and compares every element with float64 central finite differences
// of a forward graph (an independent computation of the same function). Check does this for a float64
// op against itself; CheckAgainstReference for a float32-only op (FusedMatMul, the ai.med42 custom ops)
// against float64 differences of the same function written with plain ops.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Tests.Shared.Autodiff;

/// <summary>A float input: its run-time shape, optionally a declared (symbolic) shape, and its value range.</summary>
internal sealed record GradInput(long[] Shape, Dim[]? Declared = null, double Lo = -1, double Hi = 1);

internal static class GradCheck
{
    // h = 1e-5 balances truncation (h²·f'''/6 ≈ 1e-11 for the smooth ops here) against rounding
    // (ε·|f|/h ≈ 1e-10 for |f| ≲ 10), both well under RelTol·Floor = 1e-9.
    public const double Step = 1e-5;
    // Float64 analytic vs central-difference gradients agree to ~1e-9 relative (the FD error above);
    // 1e-6 keeps three orders of margin and still catches any wrong term, which is O(1) relative.
    public const double RelTol = 1e-6;
    // Float32 analytic gradients are sums of a few dozen O(1) products, each rounded at float32's
    // ε ≈ 6e-8, so ~1e-6 relative; 1e-4 leaves margin and is still far below a wrong term.
    public const double Float32RelTol = 1e-4;
    // Relative error is taken against max(|g|, |fd|, Floor) so near-zero gradients are judged by an absolute 1e-9.
    public const double Floor = 1e-3;

    /// <summary>Checks d/dx of Σ op(x…)⊙R against finite differences for every element of every input.</summary>
    public static void Check(Func<GraphBuilder, Value[], Value> op, params GradInput[] inputs) => Check(op, 1, inputs);

    public static void Check(Func<GraphBuilder, Value[], Value> op, int seed, params GradInput[] inputs)
    {
        var rng = new Random(seed);
        var values = inputs.Select(i => Random(rng, Count(i.Shape), i.Lo, i.Hi)).ToArray();
        var (forward, withGrads, rShape) = Build(DType.F64, op, inputs);
        var r = Random(rng, Count(rShape), -1, 1);
        var analytic = Run(withGrads, inputs, values, rShape, r, GradNames(inputs));
        CompareWithCentral(analytic, forward, inputs, values, rShape, r, RelTol);
    }

    /// <summary>
    /// The float32 gradient of <paramref name="op"/> (run with <paramref name="settings"/>, e.g. a custom-op
    /// library) against float64 central differences of <paramref name="reference"/>, the same function from
    /// plain ops. Inputs and R are rounded to float32 first, so both graphs see exactly the same arguments.
    /// <paramref name="inspect"/> sees the float32 gradient graph (to assert which nodes it uses).
    /// </summary>
    public static void CheckAgainstReference(Func<GraphBuilder, Value[], Value> op, Func<GraphBuilder, Value[], Value> reference,
        GradInput[] inputs, int seed, SessionSettings? settings = null, Action<IrGraph>? inspect = null)
    {
        var rng = new Random(seed);
        var values = inputs.Select(i => Random(rng, Count(i.Shape), i.Lo, i.Hi)).ToArray();
        var (_, withGrads, rShape) = BuildGraphs(DType.F32, op, inputs);
        var r = Random(rng, Count(rShape), -1, 1);
        values = [.. values.Select(RoundToFloat32)];
        r = RoundToFloat32(r);
        inspect?.Invoke(withGrads);
        var analytic = Run(OnnxExport.ToBytes(withGrads), inputs, values, rShape, r, GradNames(inputs), DType.F32, settings);
        var (forward, _, _) = BuildGraphs(DType.F64, reference, inputs, withGradients: false);
        CompareWithCentral(analytic, forward, inputs, values, rShape, r, Float32RelTol);
    }

    /// <summary>(forward graph with output "loss", graph with loss and x{i}_grad outputs, run-time shape of op's output).</summary>
    public static (byte[] Forward, byte[] WithGrads, long[] OutShape) Build(DType type, Func<GraphBuilder, Value[], Value> op, GradInput[] inputs)
    {
        var (forward, withGrads, outShape) = BuildGraphs(type, op, inputs);
        return (forward, OnnxExport.ToBytes(withGrads), outShape);
    }

    private static (byte[] Forward, IrGraph WithGrads, long[] OutShape) BuildGraphs(DType type, Func<GraphBuilder, Value[], Value> op,
        GradInput[] inputs, bool withGradients = true)
    {
        var b = new GraphBuilder("gradcheck");
        var xs = inputs.Select((i, k) => b.Input($"x{k}", type, i.Declared ?? i.Shape.Select(Dim.Of).ToArray())).ToArray();
        var y = op(b, xs);
        var outShape = y.Shape!.All(d => d.IsFixed) ? y.Shape!.Select(d => d.Size!.Value).ToArray()
            : throw new ArgumentException("op output needs a static shape for R");
        var r = b.Input("r", type, y.Shape!);
        var loss = b.ReduceSum(b.Mul(y, r), Enumerable.Range(0, y.Rank).Select(a => (long)a).ToArray(), keepDims: false);
        b.Output(loss, "loss");
        var forward = OnnxExport.ToBytes(b.Graph);
        if (!withGradients) return (forward, b.Graph, outShape);
        var grads = Differentiator.Gradients(b, loss, xs);
        for (var k = 0; k < xs.Length; k++)
            b.Output(grads[k] ?? throw new InvalidOperationException($"x{k} got no gradient"), $"x{k}_grad");
        return (forward, b.Graph, outShape);
    }

    public static double[][] Run(byte[] model, GradInput[] inputs, double[][] values, long[] rShape, double[] r, string[] outputs,
        DType type = DType.F64, SessionSettings? settings = null)
    {
        using var session = (settings ?? new SessionSettings()).CreateSession(model);
        using var results = session.Run(Feeds(inputs, values, rShape, r, type), outputs);
        return results.Select(v => type == DType.F64 ? v.AsTensor<double>().ToArray() : v.AsTensor<float>().ToArray().Select(x => (double)x).ToArray()).ToArray();
    }

    private static void CompareWithCentral(double[][] analytic, byte[] forward, GradInput[] inputs, double[][] values, long[] rShape,
        double[] r, double relTol)
    {
        using var f = new SessionSettings().CreateSession(forward);
        for (var i = 0; i < inputs.Length; i++)
            for (var j = 0; j < values[i].Length; j++)
                AssertClose(analytic[i][j], Central(f, inputs, values, rShape, r, i, j), $"d/dx{i}[{j}]", relTol);
    }

    public static double Central(InferenceSession f, GradInput[] inputs, double[][] values, long[] rShape, double[] r, int i, int j) =>
        Central(() => Loss(f, inputs, values, rShape, r), values[i], j);

    /// <summary>(loss(x + h·e_j) − loss(x − h·e_j)) / 2h, with <paramref name="loss"/> reading <paramref name="x"/>; x[j] is restored.</summary>
    public static double Central(Func<double> loss, double[] x, int j)
    {
        var saved = x[j];
        x[j] = saved + Step;
        var plus = loss();
        x[j] = saved - Step;
        var minus = loss();
        x[j] = saved;
        return (plus - minus) / (2 * Step);
    }

    private static double Loss(InferenceSession f, GradInput[] inputs, double[][] values, long[] rShape, double[] r)
    {
        using var results = f.Run(Feeds(inputs, values, rShape, r, DType.F64), ["loss"]);
        return results[0].AsTensor<double>().GetValue(0);
    }

    private static List<NamedOnnxValue> Feeds(GradInput[] inputs, double[][] values, long[] rShape, double[] r, DType type)
    {
        var feeds = inputs.Select((inp, k) => Tensor($"x{k}", values[k], inp.Shape, type)).ToList();
        feeds.Add(Tensor("r", r, rShape, type));
        return feeds;
    }

    private static NamedOnnxValue Tensor(string name, double[] v, long[] shape, DType type)
    {
        var dims = shape.Select(d => (int)d).ToArray();
        return type == DType.F64
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(v.ToArray(), dims))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(v.Select(x => (float)x).ToArray(), dims));
    }

    private static string[] GradNames(GradInput[] inputs) => [.. inputs.Select((_, i) => $"x{i}_grad")];

    private static double[] RoundToFloat32(double[] v) => [.. v.Select(x => (double)(float)x)];

    public static void AssertClose(double analytic, double numeric, string what, double relTol = RelTol)
    {
        var scale = Math.Max(Floor, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        Assert.True(Math.Abs(analytic - numeric) <= relTol * scale, $"{what}: analytic {analytic:R}, finite difference {numeric:R}");
    }

    public static double[] Random(Random rng, long n, double lo, double hi) =>
        Enumerable.Range(0, (int)n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();

    public static long Count(long[] shape) => shape.Aggregate(1L, (a, d) => a * d);

    public static Value Ints(GraphBuilder b, long[] shape, params long[] values) => b.Constant(TensorSource.FromInt64s(shape, values));
}
