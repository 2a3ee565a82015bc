// Sigmoid: y = σ(x), dx = g·y·(1 − y).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SigmoidGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Mul(g.B.Mul(g.D, g.Y()), g.B.Sub(g.Scalar(1, g.D.Type), g.Y())));
}
