// Pow: y = aᵉ, da = g·e·a^(e−1), de = g·y·ln a (only when the exponent needs a gradient).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class PowGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (a, d) = (g.X(0), g.D);
        var e = g.B.Cast(g.X(1), a.Type);
        Value? da = g.Needs(0) ? g.ReduceTo(g.B.Mul(g.B.Mul(d, e), g.B.Pow(a, g.B.Sub(e, g.Scalar(1, a.Type)))), a) : null;
        Value? de = g.Needs(1) ? g.ReduceTo(g.B.Mul(g.B.Mul(d, g.Y()), g.B.Log(a)), g.X(1)) : null;
        return g.Grads(da, de);
    }
}
