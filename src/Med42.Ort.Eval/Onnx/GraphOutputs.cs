// Drops graph outputs a session does not need and the nodes and initializers only they used, so ONNX
// Runtime never computes them (e.g. the [B,T,V] LM head of the prefix pass, whose logits nobody reads).
// Reference: dead-code elimination by reachability from the kept outputs.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Eval.Onnx;

public static class GraphOutputs
{
    /// <summary>Keeps only the outputs <paramref name="keep"/> accepts, then removes unreachable nodes, initializers and inputs.</summary>
    public static IrGraph Prune(IrGraph graph, Func<string, bool> keep)
    {
        graph.Outputs.RemoveAll(o => !keep(o.Name));
        var live = new HashSet<Value>(graph.Outputs);
        var liveNodes = new HashSet<Node>();
        // Nodes are in topological order: one backward sweep marks every producer of a live value.
        for (var i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            var n = graph.Nodes[i];
            if (!n.Outputs.Any(live.Contains)) continue;
            liveNodes.Add(n);
            foreach (var input in n.Inputs)
                if (input is not null) live.Add(input);
        }
        graph.Nodes.RemoveAll(n => !liveNodes.Contains(n));
        graph.Initializers.RemoveAll(init => !live.Contains(init.Value));
        graph.Inputs.RemoveAll(input => !live.Contains(input));
        return graph;
    }
}
