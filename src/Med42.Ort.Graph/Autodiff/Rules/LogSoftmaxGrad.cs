// LogSoftmax along one axis (opset 13+): dx = g − exp(y) ⊙ Σ_axis g.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class LogSoftmaxGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var d = g.D;
        var total = g.B.ReduceSum(d, [g.Node.Int("axis", -1)], keepDims: true);
        return g.Grads(g.B.Sub(d, g.B.Mul(g.B.Exp(g.Y()), total)));
    }
}
