// Gradient checkpointing for Differentiator: clones a group's forward nodes into the backward pass so
// the group's rules read recomputed activations (the forward ones can be freed after their last forward use).
// The clones' activation inputs of the anchor's shape (a decoder layer's input: the residual stream) are read
// through Where(true, x, anchor), anchor = the gradient arriving at the group: the same bits, but a data
// dependency on the backward pass. Without it ONNX Runtime's execution order runs the clones as soon as their
// inputs exist, during the forward pass, and keeps their outputs alive until the backward (measured: no saving).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

internal sealed class Recomputation(Func<Node, string?> group)
{
    private readonly HashSet<string> _cloned = new(StringComparer.Ordinal);
    private readonly Dictionary<Node, Node> _clones = [];

    /// <summary>The node whose inputs/outputs the rule should read: <paramref name="node"/>'s clone when its group is recomputed.</summary>
    /// <param name="anchor">A gradient flowing into the group when the backward first reaches it (null: no gate).</param>
    public Node Resolve(GraphBuilder b, IReadOnlyList<Node> forward, Node node, Value? anchor)
    {
        if (group(node) is not string key) return node;
        if (_cloned.Add(key)) Clone(b, forward, key, anchor);
        return _clones[node];
    }

    // Clones every forward node of the group in forward order; values produced inside the group map to clones.
    private void Clone(GraphBuilder b, IReadOnlyList<Node> forward, string key, Value? anchor)
    {
        var map = new Dictionary<Value, Value>();
        Value? Input(Value? i)
        {
            if (i is null) return null;
            if (map.TryGetValue(i, out var c)) return c;
            if (anchor is null || i.Producer is null || i.Type != anchor.Type || i.Shape is null || anchor.Shape is null
                || !i.Shape.SequenceEqual(anchor.Shape)) return i;
            using (b.Scope("recompute_gate"))
                return map[i] = b.Where(b.Constant(TensorSource.FromBytes(Core.Tensors.DType.Bool, [], [1])), i, anchor);
        }
        using var _ = b.Scope("recompute");
        foreach (var n in forward.Where(n => group(n) == key))
        {
            var inputs = n.Inputs.Select(Input).ToArray();
            var outs = b.OpN(n.OpType, inputs, n.Outputs.Select(o => (o.Type, o.Shape)).ToArray(), n.Attributes, n.Domain, n.Name.TrimStart('/'));
            for (var k = 0; k < outs.Length; k++) map[n.Outputs[k]] = outs[k];
            _clones[n] = outs[0].Producer!;
        }
    }
}
