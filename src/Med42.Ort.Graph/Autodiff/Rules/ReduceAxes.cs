// Shared by ReduceSum/ReduceMean: the reduced axes (attribute or constant input; empty = all) and
// the output gradient broadcast back over them.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ReduceAxes
{
    public static long[] Of(GradientContext g, long[]? axes)
    {
        var rank = g.X(0).Rank;
        if (axes is null || axes.Length == 0)
        {
            if (g.Node.Int("noop_with_empty_axes", 0) != 0) return [];
            return Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }
        return axes.Select(a => (long)Shapes.NormalizeAxis(a, rank)).Order().ToArray();
    }

    /// <summary><paramref name="d"/> (the output's gradient, possibly scaled) broadcast to x's shape.</summary>
    public static Value Broadcast(GradientContext g, Value d, long[] axes)
    {
        var x = g.X(0);
        if (g.Node.Int("keepdims", 1) == 0 && axes.Length > 0 && axes.Length < x.Rank) d = g.B.Unsqueeze(d, axes);
        return g.B.Expand(d, g.B.Shape(x), x.Shape);
    }
}
