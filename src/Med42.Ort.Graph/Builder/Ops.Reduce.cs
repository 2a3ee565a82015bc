// Reductions, softmax and matrix products.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    private static Dim[]? Reduced(Value x, long[] axes, bool keepDims)
    {
        if (x.Shape is null) return null;
        var norm = axes.Select(a => Shapes.NormalizeAxis(a, x.Rank)).ToHashSet();
        return keepDims
            ? x.Shape.Select((d, i) => norm.Contains(i) ? Dim.Of(1) : d).ToArray()
            : x.Shape.Where((_, i) => !norm.Contains(i)).ToArray();
    }

    /// <summary>Mean over <paramref name="axes"/> (opset 17: axes is an attribute).</summary>
    public Value ReduceMean(Value x, long[] axes, bool keepDims = true) =>
        Op("ReduceMean", [x], x.Type, Reduced(x, axes, keepDims), Attrs(("axes", axes), ("keepdims", keepDims ? 1 : 0)));

    /// <summary>Sum over <paramref name="axes"/> (opset 13+: axes is an input).</summary>
    public Value ReduceSum(Value x, long[] axes, bool keepDims = true) =>
        Op("ReduceSum", [x, Ints(axes)], x.Type, Reduced(x, axes, keepDims), Attrs(("keepdims", keepDims ? 1 : 0)));

    public Value ReduceMax(Value x, long[] axes, bool keepDims = true) =>
        Op("ReduceMax", [x], x.Type, Reduced(x, axes, keepDims), Attrs(("axes", axes), ("keepdims", keepDims ? 1 : 0)));

    public Value ArgMax(Value x, long axis, bool keepDims = false) =>
        Op("ArgMax", [x], DType.I64, Reduced(x, [axis], keepDims), Attrs(("axis", axis), ("keepdims", keepDims ? 1 : 0)));

    public Value Softmax(Value x, long axis = -1) => Op("Softmax", [x], x.Type, x.Shape, Attrs(("axis", axis)));
    public Value LogSoftmax(Value x, long axis = -1) => Op("LogSoftmax", [x], x.Type, x.Shape, Attrs(("axis", axis)));

    /// <summary>Numpy matmul: batch dims broadcast, [..., M, K] × [..., K, N] → [..., M, N].</summary>
    public Value MatMul(Value a, Value b, string? name = null)
    {
        Dim[]? shape = null;
        if (a.Shape is { Length: >= 2 } sa && b.Shape is { Length: >= 2 } sb)
        {
            var batch = Shapes.Broadcast(sa[..^2], sb[..^2]);
            shape = [.. batch, sa[^2], sb[^1]];
        }
        else if (a.Shape is { Length: >= 2 } sa2 && b.Shape is { Length: 1 })
            shape = sa2[..^1];
        return Op("MatMul", [a, b], a.Type, shape, nodeName: name);
    }
}
