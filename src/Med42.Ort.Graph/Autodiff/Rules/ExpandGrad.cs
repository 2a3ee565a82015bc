// Expand: a broadcast, so dx = g summed back to x's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ExpandGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.ReduceTo(g.D, g.X(0)));
}
