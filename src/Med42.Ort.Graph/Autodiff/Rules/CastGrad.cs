// Cast between float types: the gradient is cast back to the input's type.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class CastGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Cast(g.D, g.X(0).Type));
}
