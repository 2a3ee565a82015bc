// ReduceSum (opset 13+: axes input): dx = g (unsqueezed at the reduced axes when keepdims = 0) expanded to x's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ReduceSumGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var axes = ReduceAxes.Of(g, g.ConstInts(1));
        return g.Grads(axes.Length == 0 ? g.D : ReduceAxes.Broadcast(g, g.D, axes));
    }
}
