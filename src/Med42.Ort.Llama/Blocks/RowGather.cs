// Picks rows of a tensor by per-batch positions: x [B, …, T, …] and positions [B, S] (int64) give
// x[b, …, positions[b, s], …] with T replaced by S — one GatherElements over an expanded index.
// The scoring graph uses it to run the LM head (and the last layer's queries) on the scored rows only.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class RowGather
{
    public static Value Along(GraphBuilder b, Value x, Value positions, int axis)
    {
        var rank = x.Rank;
        if (axis < 1 || axis >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} of a rank-{rank} tensor (batch is axis 0)");
        var others = Enumerable.Range(1, rank - 1).Where(a => a != axis).Select(a => (long)a).ToArray();
        var index = others.Length > 0 ? b.Unsqueeze(positions, others) : positions;             // [B,1…,S,1…]
        var shape = b.Concat(0, b.Shape(x, 0, axis), b.Shape(positions, 1, 2), b.Shape(x, axis + 1, rank));
        var outShape = x.Shape!.ToArray();
        outShape[axis] = positions.Shape![1];
        return b.GatherElements(x, b.Expand(index, shape, outShape), axis);
    }
}
