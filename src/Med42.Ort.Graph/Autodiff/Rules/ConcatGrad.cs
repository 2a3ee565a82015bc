// Concat: the gradient is split back into the parts along the axis (sizes static when known, else from the parts' runtime shapes).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ConcatGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var parts = g.Node.Inputs.Select(p => p!).ToArray();
        var axis = Shapes.NormalizeAxis(g.Node.Int("axis", 0), parts[0].Rank);
        var sizes = parts.All(p => p.Shape![axis].IsFixed)
            ? g.B.Ints(parts.Select(p => p.Shape![axis].Size!.Value).ToArray())
            : g.B.Concat(0, parts.Select(p => g.B.Shape(p, axis, axis + 1)).ToArray());
        var outs = g.B.OpN("Split", [g.D, sizes], parts.Select(p => (g.D.Type, p.Shape)).ToArray(),
            new Dictionary<string, Attr> { ["axis"] = axis });
        return g.Grads(outs);
    }
}
