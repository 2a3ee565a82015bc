namespace Med42.Ort.Graph.Ir;

/// <summary>A tensor flowing through the graph: a graph input, an initializer, or a node output.</summary>
public sealed class Value
{
    internal Value(string name, Core.Tensors.DType type, Dim[]? shape)
    {
        Name = name;
        Type = type;
        Shape = shape;
    }

    public string Name { get; internal set; }
    public Core.Tensors.DType Type { get; internal set; }

    /// <summary>Static shape when known (symbolic dims allowed); null when even the rank is unknown.</summary>
    public Dim[]? Shape { get; internal set; }

    public int Rank => Shape?.Length ?? throw new InvalidOperationException($"rank of '{Name}' is unknown");

    /// <summary>The node computing this value; null for graph inputs and initializers.</summary>
    public Node? Producer { get; internal set; }

    public override string ToString() => $"{Name}: {Type}{Shapes.Format(Shape)}";
}
