// Reverse-mode automatic differentiation over the IR graph, emitting gradient nodes into the same builder.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

/// <summary>
/// Reverse-mode differentiation of a scalar loss with respect to chosen values.
/// <para>
/// Algorithm: (1) the relevant values are those forward-reachable from <c>wrt</c> through floating-point
/// outputs AND backward-reachable from the loss; only nodes producing a relevant value get gradient nodes,
/// and only their relevant inputs get gradients (so frozen weights, int indices, masks and shape tensors
/// get none). (2) d loss is seeded with 1 (or <see cref="GradientOptions.Seed"/>). (3) The forward nodes
/// are visited in reverse topological order; each output's gradient is the sum (Add, or Sum for more)
/// of its consumers' contributions, and the op's rule from <see cref="GradientRules"/> emits the input
/// gradients under the scope "/grad&lt;forward node name&gt;", so names are deterministic.
/// </para>
/// </summary>
public static class Differentiator
{
    /// <summary>Gradients of <paramref name="loss"/> with respect to each of <paramref name="wrt"/>; null where it does not influence the loss.</summary>
    public static IReadOnlyList<Value?> Gradients(GraphBuilder b, Value loss, IReadOnlyList<Value> wrt, GradientOptions? options = null)
    {
        options ??= new GradientOptions();
        foreach (var w in wrt)
            if (!w.Type.IsFloat()) throw new ArgumentException($"cannot differentiate with respect to '{w.Name}' of type {w.Type}");
        var forward = b.Graph.Nodes.ToList();                 // snapshot: gradient nodes are appended behind
        var relevant = Relevant(forward, loss, wrt);
        var contributions = new Dictionary<Value, List<Value>>();
        var recompute = options.RecomputeGroup is { } group ? new Recomputation(group) : null;

        using (b.Scope(options.ScopeName))
        {
            if (relevant.Contains(loss) || wrt.Contains(loss)) Add(contributions, loss, options.Seed ?? Seed(b, loss));
            for (var k = forward.Count - 1; k >= 0; k--)
            {
                var node = forward[k];
                if (!node.Outputs.Any(relevant.Contains)) continue;
                Value?[] dy;
                using (b.Scope("accumulate"))
                    dy = node.Outputs.Select(o => Total(b, contributions, o)).ToArray();
                if (dy.All(d => d is null)) continue;
                var needs = node.Inputs.Select(i => i is not null && relevant.Contains(i)).ToArray();
                if (!needs.Any(n => n)) continue;
                var rule = GradientRules.Find(node.Domain, node.OpType)
                    ?? throw new NotSupportedException($"no gradient rule for {(node.Domain == "" ? "" : node.Domain + ".")}{node.OpType} (node {node.Name})");
                var ruleNode = recompute is null ? node : recompute.Resolve(b, forward, node, dy.FirstOrDefault(d => d is not null));
                Value?[] dx;
                using (b.Scope(node.Name.TrimStart('/')))
                    dx = rule(new GradientContext(b, ruleNode, dy, needs));
                for (var i = 0; i < dx.Length; i++)
                    if (needs[i] && dx[i] is Value g) Add(contributions, node.Inputs[i]!, g);
            }
            using (b.Scope("accumulate"))
                return wrt.Select(w => Total(b, contributions, w)).ToList();
        }
    }

    // Forward-reachable from wrt (through floating-point values) ∩ backward-reachable from loss.
    private static HashSet<Value> Relevant(List<Node> nodes, Value loss, IReadOnlyList<Value> wrt)
    {
        var fwd = new HashSet<Value>(wrt);
        foreach (var n in nodes)
            if (n.Inputs.Any(i => i is not null && fwd.Contains(i)))
                foreach (var o in n.Outputs)
                    if (o.Type.IsFloat()) fwd.Add(o);
        var bwd = new HashSet<Value> { loss };
        for (var k = nodes.Count - 1; k >= 0; k--)
            if (nodes[k].Outputs.Any(bwd.Contains))
                foreach (var i in nodes[k].Inputs)
                    if (i is not null) bwd.Add(i);
        fwd.IntersectWith(bwd);
        return fwd;
    }

    private static Value Seed(GraphBuilder b, Value loss)
    {
        if (loss.Shape is not { } s || s.Any(d => !d.IsOne))
            throw new ArgumentException($"loss {loss} is not a scalar: pass GradientOptions.Seed");
        var one = b.Scalar(1.0, loss.Type);
        return s.Length == 0 ? one : b.Reshape(one, b.Ints(Enumerable.Repeat(1L, s.Length).ToArray()), s);
    }

    private static void Add(Dictionary<Value, List<Value>> map, Value v, Value grad)
    {
        if (!map.TryGetValue(v, out var list)) map[v] = list = [];
        list.Add(grad);
    }

    // The summed gradient of v (its consumers are all visited by now); cached as a single entry.
    private static Value? Total(GraphBuilder b, Dictionary<Value, List<Value>> map, Value v)
    {
        if (!map.TryGetValue(v, out var list)) return null;
        if (list.Count > 1)
        {
            var sum = b.Sum([.. list]);
            list.Clear();
            list.Add(sum);
        }
        return list[0];
    }
}
