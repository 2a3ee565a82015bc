// Tanh: dx = g·(1 − y²).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class TanhGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Mul(g.D, g.B.Sub(g.Scalar(1, g.D.Type), g.B.Mul(g.Y(), g.Y()))));
}
