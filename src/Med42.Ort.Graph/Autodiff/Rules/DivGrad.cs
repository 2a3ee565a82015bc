// Div with broadcasting: y = a/b, d = (g/b, −g·y/b), each reduced back to its input's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class DivGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.Needs(0) ? g.ReduceTo(g.B.Div(g.D, g.X(1)), g.X(0)) : null, g.Needs(1) ? g.ReduceTo(g.B.Neg(g.B.Div(g.B.Mul(g.D, g.Y()), g.X(1))), g.X(1)) : null);
}
