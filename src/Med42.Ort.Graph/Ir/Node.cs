namespace Med42.Ort.Graph.Ir;

/// <summary>One operator application. A null input is an omitted optional input.</summary>
public sealed class Node
{
    internal Node(string name, string opType, string domain, Value?[] inputs, Value[] outputs, IReadOnlyDictionary<string, Attr> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    public string Name { get; }
    public string OpType { get; }
    public string Domain { get; }
    public IReadOnlyList<Value?> Inputs { get; }
    public IReadOnlyList<Value> Outputs { get; }
    public IReadOnlyDictionary<string, Attr> Attributes { get; }

    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? ((IntAttr)a).Value : fallback;
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? ((FloatAttr)a).Value : fallback;
    public long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? ((IntsAttr)a).Value : null;

    public override string ToString() => $"{Name} = {OpType}({string.Join(", ", Inputs.Select(i => i?.Name ?? "_"))})";
}
