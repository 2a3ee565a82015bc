// Mul with broadcasting: d(a·b) = (g·b, g·a), each reduced back to its input's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class MulGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.Needs(0) ? g.ReduceTo(g.B.Mul(g.D, g.X(1)), g.X(0)) : null, g.Needs(1) ? g.ReduceTo(g.B.Mul(g.D, g.X(0)), g.X(1)) : null);
}
