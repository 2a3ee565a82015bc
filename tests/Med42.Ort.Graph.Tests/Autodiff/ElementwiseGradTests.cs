// Element-wise gradient rules (Add/Sub/Mul/Div/Pow with broadcasting, unary ops) against float64
// central finite differences via GradCheck. Run: dotnet test tests/Med42.Ort.Graph.Tests --filter ElementwiseGradTests
using Med42.Ort.Graph.Ir;
using Med42.Ort.Tests.Shared.Autodiff;

namespace Med42.Ort.Graph.Tests.Autodiff;

public class ElementwiseGradTests
{
    private static readonly GradInput A315 = new([3, 1, 5]);
    private static readonly GradInput B5 = new([5]);
    private static readonly GradInput Positive = new([2, 3], Lo: 0.5, Hi: 2);

    [Fact] public void AddBroadcastsOverLeadingAndUnitAxes() => GradCheck.Check((b, x) => b.Add(x[0], x[1]), A315, B5);
    [Fact] public void AddBroadcastsBothWays() => GradCheck.Check((b, x) => b.Add(x[0], x[1]), new GradInput([3, 1, 5]), new GradInput([4, 1]));
    [Fact] public void SubBroadcasts() => GradCheck.Check((b, x) => b.Sub(x[1], x[0]), A315, B5);
    [Fact] public void MulBroadcasts() => GradCheck.Check((b, x) => b.Mul(x[0], x[1]), A315, new GradInput([2, 3, 1, 1]));
    [Fact] public void DivBroadcasts() => GradCheck.Check((b, x) => b.Div(x[0], x[1]), A315, B5 with { Lo = 0.5, Hi = 2 });
    [Fact] public void PowWithVariableExponent() => GradCheck.Check((b, x) => b.Pow(x[0], x[1]), Positive, new GradInput([3], Lo: -2, Hi: 2));
    [Fact] public void PowWithConstantExponent() => GradCheck.Check((b, x) => b.Pow(x[0], b.Scalar(3.0, x[0].Type)), Positive);
    [Fact] public void Sqrt() => GradCheck.Check((b, x) => b.Sqrt(x[0]), Positive);
    [Fact] public void Reciprocal() => GradCheck.Check((b, x) => b.Reciprocal(x[0]), Positive);
    [Fact] public void Neg() => GradCheck.Check((b, x) => b.Neg(x[0]), A315);
    [Fact] public void Exp() => GradCheck.Check((b, x) => b.Exp(x[0]), A315);
    [Fact] public void Log() => GradCheck.Check((b, x) => b.Log(x[0]), Positive);
    [Fact] public void Sigmoid() => GradCheck.Check((b, x) => b.Sigmoid(x[0]), A315);
    [Fact] public void Tanh() => GradCheck.Check((b, x) => b.Op("Tanh", [x[0]], x[0].Type, x[0].Shape), A315);
    [Fact] public void SiluComposesMulAndSigmoid() => GradCheck.Check((b, x) => b.Silu(x[0]), A315);
    [Fact] public void SumOfThreeBroadcasts() => GradCheck.Check((b, x) => b.Sum(x[0], x[1], x[2]), A315, B5, new GradInput([1, 1]));

    [Fact]
    public void CastToFloat32AndBackRoundsButDifferentiatesAsIdentity()
    {
        // x ↦ cast(cast(x, f32), f64) is piecewise constant in float64, so finite differences cannot
        // check it; Cast's rule is checked on f64 → f64 (the builder elides it) via an explicit node.
        GradCheck.Check((b, x) => b.Op("Cast", [x[0]], x[0].Type, x[0].Shape, new Dictionary<string, Attr> { ["to"] = 11 }), A315);
    }

    [Fact]
    public void CastChainAcrossTypesCastsTheGradientBackToEachInputType()
    {
        // x (f64) → Cast f32 → c·c (f32) → Cast f64: the backward must cast the f64 upstream gradient to f32 for the
        // product's rule and its result back to f64 for x (a wrong type makes the graph invalid in ONNX Runtime).
        // Float64 finite differences cannot see through the f32 rounding in general, so x, R and the step h live on
        // the grid k·2⁻⁸ with |k| ≤ 256: x±h, c² and R are exact in float32, the forward is exact, the central
        // difference of a quadratic is exact (2x), and the analytic gradient 2·c·R is exact too — so they agree to
        // double rounding (1e-12).
        const double h = 1.0 / 256;
        var rng = new Random(3);
        double Grid() => rng.Next(-200, 201) * h;
        var input = new GradInput([3, 5]);
        var (forward, withGrads, rShape) = GradCheck.Build(Core.Tensors.DType.F64,
            (b, x) => { var c = b.Cast(x[0], Core.Tensors.DType.F32); return b.Cast(b.Mul(c, c), Core.Tensors.DType.F64); }, [input]);
        double[][] values = [Enumerable.Range(0, 15).Select(_ => Grid()).ToArray()];
        var r = Enumerable.Range(0, 15).Select(_ => Grid()).ToArray();
        var analytic = GradCheck.Run(withGrads, [input], values, rShape, r, ["x0_grad"])[0];
        using var f = new Runtime.SessionSettings().CreateSession(forward);
        for (var j = 0; j < 15; j++)
        {
            var saved = values[0][j];
            var sums = new double[2];
            for (var side = 0; side < 2; side++)
            {
                values[0][j] = saved + (side == 0 ? h : -h);
                using var res = f.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("x0", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<double>(values[0].ToArray(), [3, 5])),
                    Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("r", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<double>(r.ToArray(), [3, 5]))], ["loss"]);
                sums[side] = res[0].AsTensor<double>().GetValue(0);
            }
            values[0][j] = saved;
            var numeric = (sums[0] - sums[1]) / (2 * h);
            Assert.Equal(2 * saved * r[j], analytic[j], 1e-12);
            Assert.Equal(numeric, analytic[j], 1e-12);
        }
    }

    [Fact] public void Identity() => GradCheck.Check((b, x) => b.Identity(x[0]), A315);

    [Fact]
    public void WhereWithConstantConditionBroadcasts()
    {
        var cond = new[] { 1L, 0, 0, 1, 1 };
        GradCheck.Check((b, x) => b.Where(b.Cast(GradCheck.Ints(b, [5], cond), Core.Tensors.DType.Bool), x[0], x[1]), A315, new GradInput([3, 1, 1]));
    }

    [Fact]
    public void SymbolicButEqualDimsNeedNoReduction()
    {
        // Declared [n, 5] + [n, 5]: equal symbols, so the gradient passes through unreduced.
        Dim[] d = [Dim.Sym("n"), 5];
        GradCheck.Check((b, x) => b.Reshape(b.Add(x[0], x[1]), [3, 5]), new GradInput([3, 5], d), new GradInput([3, 5], d));
    }

    [Fact]
    public void UndecidableSymbolicDimsReduceAtRunTime()
    {
        // Declared [m, 5] + [n, 5] fed [3,5] and [1,5]: n may be 1, so the reduction axes are found at run time.
        GradCheck.Check((b, x) => b.Reshape(b.Add(x[0], x[1]), [3, 5]),
            new GradInput([3, 5], [Dim.Sym("m"), 5]), new GradInput([1, 5], [Dim.Sym("n"), 5]));
    }
}
