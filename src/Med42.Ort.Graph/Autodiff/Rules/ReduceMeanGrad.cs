// ReduceMean (opset 17: axes attribute): dx = g/N expanded to x's shape, N = the number of reduced
// elements (a constant when the reduced dims are fixed, else |x| / |y| at run time).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ReduceMeanGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (x, d) = (g.X(0), g.D);
        var axes = ReduceAxes.Of(g, g.Node.Ints("axes") ?? g.ConstInts(1));
        if (axes.Length == 0) return g.Grads(d);
        Value scaled;
        if (axes.All(a => x.Shape![a].IsFixed))
            scaled = g.B.Mul(d, g.Scalar(1.0 / axes.Aggregate(1L, (p, a) => p * x.Shape![a].Size!.Value), d.Type));
        else
            scaled = g.B.Div(d, g.B.Div(g.B.Cast(g.B.Size(x), d.Type), g.B.Cast(g.B.Size(g.Y()), d.Type)));
        return g.Grads(ReduceAxes.Broadcast(g, scaled, axes));
    }
}
