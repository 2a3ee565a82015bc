// Sqrt: y = √x, dx = g / (2y).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SqrtGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Div(g.B.Mul(g.D, g.Scalar(0.5, g.D.Type)), g.Y()));
}
