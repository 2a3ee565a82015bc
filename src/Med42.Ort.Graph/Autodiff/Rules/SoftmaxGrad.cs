// Softmax along one axis (opset 13+): dx = y ⊙ (g − Σ_axis g⊙y).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SoftmaxGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (y, d) = (g.Y(), g.D);
        var dot = g.B.ReduceSum(g.B.Mul(d, y), [g.Node.Int("axis", -1)], keepDims: true);
        return g.Grads(g.B.Mul(y, g.B.Sub(d, dot)));
    }
}
