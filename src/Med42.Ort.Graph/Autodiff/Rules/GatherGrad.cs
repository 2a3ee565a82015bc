// Gather along axis 0 (embedding lookup): d data = zeros scatter-added at the ids (ScatterND with
// reduction "add", opset 16+, on ORT CPU and CUDA), so repeated ids accumulate. Ids must be non-negative.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class GatherGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (data, ids) = (g.X(0), g.X(1));
        if (Shapes.NormalizeAxis(g.Node.Int("axis", 0), data.Rank) != 0)
            throw new NotSupportedException($"{g.Node.Name}: Gather gradient only along axis 0");
        return g.Grads(g.B.ScatterNDAdd(g.B.ZerosLike(data), g.B.Unsqueeze(ids, -1), g.D));
    }
}
