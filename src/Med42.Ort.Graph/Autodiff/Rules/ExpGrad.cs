// Exp: y = eˣ, dx = g·y.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ExpGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Mul(g.D, g.Y()));
}
