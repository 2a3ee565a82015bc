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
