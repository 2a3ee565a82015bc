// Split: dx = the outputs' gradients concatenated along the axis (zeros for an output nothing used).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SplitGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var parts = Enumerable.Range(0, g.Node.Outputs.Count).Select(g.DyOrZeros).ToArray();
        return g.Grads(g.B.Concat(g.Node.Int("axis", 0), parts));
    }
}
