// Sub with broadcasting: d(a−b) = (g, −g), each reduced back to its input's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SubGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.Needs(0) ? g.ReduceTo(g.D, g.X(0)) : null, g.Needs(1) ? g.ReduceTo(g.B.Neg(g.D), g.X(1)) : null);
}
