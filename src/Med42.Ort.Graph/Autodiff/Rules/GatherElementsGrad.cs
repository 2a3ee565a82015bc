// GatherElements: d data = zeros scatter-added at the indices along the axis (ScatterElements, reduction "add").
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class GatherElementsGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.ScatterElementsAdd(g.B.ZerosLike(g.X(0)), g.X(1), g.D, g.Node.Int("axis", 0)));
}
