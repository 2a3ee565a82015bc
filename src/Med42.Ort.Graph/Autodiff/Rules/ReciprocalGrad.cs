// Reciprocal: y = 1/x, dx = −g·y².
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ReciprocalGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Neg(g.B.Mul(g.D, g.B.Mul(g.Y(), g.Y()))));
}
