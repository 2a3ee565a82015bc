// Gradient checkpointing for Differentiator: clones a group's forward nodes into the backward pass so
// the group's rules read recomputed activations (the forward ones can be freed after their last forward use).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

internal sealed class Recomputation(Func<Node, string?> group)
{
    private readonly HashSet<string> _cloned = new(StringComparer.Ordinal);
    private readonly Dictionary<Node, Node> _clones = [];

    /// <summary>The node whose inputs/outputs the rule should read: <paramref name="node"/>'s clone when its group is recomputed.</summary>
    public Node Resolve(GraphBuilder b, IReadOnlyList<Node> forward, Node node)
    {
        if (group(node) is not string key) return node;
        if (_cloned.Add(key)) Clone(b, forward, key);
        return _clones[node];
    }

    // Clones every forward node of the group in forward order; values produced inside the group map to clones.
    private void Clone(GraphBuilder b, IReadOnlyList<Node> forward, string key)
    {
        var map = new Dictionary<Value, Value>();
        using var _ = b.Scope("recompute");
        foreach (var n in forward.Where(n => group(n) == key))
        {
            var inputs = n.Inputs.Select(i => i is not null && map.TryGetValue(i, out var c) ? c : i).ToArray();
            var outs = b.OpN(n.OpType, inputs, n.Outputs.Select(o => (o.Type, o.Shape)).ToArray(), n.Attributes, n.Domain, n.Name.TrimStart('/'));
            for (var k = 0; k < outs.Length; k++) map[n.Outputs[k]] = outs[k];
            _clones[n] = outs[0].Producer!;
        }
    }
}
