namespace Med42.Ort.Graph.Ir;

/// <summary>An initializer: a named constant or parameter with lazily produced bytes.</summary>
public sealed record Initializer(Value Value, TensorSource Data);

/// <summary>A whole graph: inputs, initializers, nodes in topological order, outputs.</summary>
public sealed class IrGraph
{
    public IrGraph(string name) => Name = name;

    public string Name { get; }
    public List<Value> Inputs { get; } = [];
    public List<Value> Outputs { get; } = [];
    public List<Node> Nodes { get; } = [];
    public List<Initializer> Initializers { get; } = [];

    /// <summary>Opset versions by domain ("" = ONNX). The builder fills these as ops are used.</summary>
    public SortedDictionary<string, int> Opsets { get; } = new(StringComparer.Ordinal) { [""] = GraphBuilder.OnnxOpset };

    public Initializer? FindInitializer(string name) => Initializers.FirstOrDefault(i => i.Value.Name == name);

    /// <summary>Consumers of every value, in node order.</summary>
    public Dictionary<Value, List<Node>> Consumers()
    {
        var map = new Dictionary<Value, List<Node>>();
        foreach (var n in Nodes)
            foreach (var i in n.Inputs)
                if (i is not null)
                {
                    if (!map.TryGetValue(i, out var list)) map[i] = list = [];
                    if (!list.Contains(n)) list.Add(n);
                }
        return map;
    }
}
