// Builds an IR graph: scoped deterministic names, pooled constants, typed op helpers (Ops.*.cs).
// Node names are hierarchical ("/model/layers.3/attn/q_proj/MatMul"), outputs "<node>/output_<i>",
// so building the same graph twice gives byte-identical ONNX files.
using System.Security.Cryptography;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    /// <summary>ONNX opset of the default domain (ReduceMean axes as attribute, Split sizes as input).</summary>
    public const int OnnxOpset = 17;
    public const string MicrosoftDomain = "com.microsoft";

    private readonly List<string> _scopes = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Value> _constants = new(StringComparer.Ordinal);

    public GraphBuilder(string name = "main") => Graph = new IrGraph(name);

    public IrGraph Graph { get; }

    /// <summary>Current scope path, e.g. "/model/layers.3/attn".</summary>
    public string ScopePath => _scopes.Count == 0 ? "" : "/" + string.Join("/", _scopes);

    /// <summary>Enters a naming scope until disposed.</summary>
    public IDisposable Scope(string name)
    {
        _scopes.Add(name);
        return new ScopeExit(this, _scopes.Count - 1);
    }

    private sealed class ScopeExit(GraphBuilder builder, int depth) : IDisposable
    {
        public void Dispose() => builder._scopes.RemoveRange(depth, builder._scopes.Count - depth);
    }

    /// <summary>A unique node name under the current scope.</summary>
    public string UniqueName(string baseName)
    {
        var name = $"{ScopePath}/{baseName}";
        if (_names.Add(name)) return name;
        for (var i = 1; ; i++)
            if (_names.Add($"{name}_{i}")) return $"{name}_{i}";
    }

    public Value Input(string name, DType type, params Dim[] shape)
    {
        ReserveValueName(name);
        var v = new Value(name, type, shape);
        Graph.Inputs.Add(v);
        return v;
    }

    /// <summary>A named initializer (a model weight or buffer).</summary>
    public Value Initializer(string name, TensorSource data)
    {
        ReserveValueName(name);
        var v = new Value(name, data.Type, data.Shape.Select(Dim.Of).ToArray());
        Graph.Initializers.Add(new Initializer(v, data));
        return v;
    }

    /// <summary>Marks <paramref name="value"/> as a graph output called <paramref name="name"/>.</summary>
    public Value Output(Value value, string name)
    {
        var isOwnNodeOutput = value.Producer is not null && !Graph.Outputs.Contains(value) && !value.Name.Equals(name);
        if (isOwnNodeOutput && !_names.Contains(name))
        {
            _names.Add(name);
            value.Name = name;
            Graph.Outputs.Add(value);
            return value;
        }
        if (value.Name == name && value.Producer is not null && !Graph.Outputs.Contains(value))
        {
            Graph.Outputs.Add(value);
            return value;
        }
        var copy = Op("Identity", [value], value.Type, value.Shape, outputName: name);
        Graph.Outputs.Add(copy);
        return copy;
    }

    /// <summary>
    /// Renames a node's output <paramref name="value"/> to <paramref name="name"/> without making it a graph output
    /// (a value other graphs or readers refer to by name, such as a training graph's internal logits).
    /// </summary>
    public Value NameValue(Value value, string name)
    {
        if (value.Producer is null) throw new ArgumentException($"'{value.Name}' is a graph input or initializer: only node outputs are renamed");
        ReserveValueName(name);
        value.Name = name;
        return value;
    }

    /// <summary>A pooled constant: identical (type, shape, bytes) share one initializer.</summary>
    public Value Constant(TensorSource data)
    {
        var bytes = data.ToArray();
        var key = $"{data.Type}|{string.Join(",", data.Shape)}|{Convert.ToHexString(SHA256.HashData(bytes))}";
        if (_constants.TryGetValue(key, out var existing)) return existing;
        var v = Initializer($"const_{_constants.Count}", TensorSource.FromBytes(data.Type, data.Shape, bytes));
        _constants[key] = v;
        return v;
    }

    public Value Ints(params long[] values) => Constant(TensorSource.FromInt64s([values.Length], values));
    public Value IntScalar(long value) => Constant(TensorSource.FromInt64s([], [value]));

    /// <summary>A scalar of a float type (F32/F16/F64/BF16) holding <paramref name="value"/>.</summary>
    public Value Scalar(double value, DType type)
    {
        if (type == DType.F64) return Constant(TensorSource.FromDoubles([], [value]));
        var raw = new byte[type.Size()];
        if (type.IsFloat()) FloatConvert.FromFloat32(type, [(float)value], raw);
        else if (type == DType.I64) BitConverter.TryWriteBytes(raw, (long)value);
        else if (type == DType.I32) BitConverter.TryWriteBytes(raw, (int)value);
        else throw new NotSupportedException($"scalar of {type}");
        return Constant(TensorSource.FromBytes(type, [], raw));
    }

    /// <summary>Adds a single-output node; the caller gives the output's type and shape.</summary>
    public Value Op(string opType, Value?[] inputs, DType outType, Dim[]? outShape,
        IReadOnlyDictionary<string, Attr>? attributes = null, string domain = "", string? nodeName = null, string? outputName = null)
        => OpN(opType, inputs, [(outType, outShape)], attributes, domain, nodeName, outputName is null ? null : [outputName])[0];

    /// <summary>Adds a node with several outputs.</summary>
    public Value[] OpN(string opType, Value?[] inputs, (DType Type, Dim[]? Shape)[] outputs,
        IReadOnlyDictionary<string, Attr>? attributes = null, string domain = "", string? nodeName = null, string[]? outputNames = null)
    {
        var name = UniqueName(nodeName ?? opType);
        var outs = new Value[outputs.Length];
        for (var i = 0; i < outs.Length; i++)
        {
            var valueName = outputNames?[i] ?? $"{name}/output_{i}";
            ReserveValueName(valueName);
            outs[i] = new Value(valueName, outputs[i].Type, outputs[i].Shape);
        }
        var node = new Node(name, opType, domain, inputs, outs, attributes ?? new Dictionary<string, Attr>());
        foreach (var o in outs) o.Producer = node;
        Graph.Nodes.Add(node);
        if (domain != "" && !Graph.Opsets.ContainsKey(domain)) Graph.Opsets[domain] = 1;
        return outs;
    }

    private void ReserveValueName(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"duplicate value name '{name}'");
    }

    internal static Dictionary<string, Attr> Attrs(params (string Key, Attr? Value)[] pairs)
    {
        var d = new Dictionary<string, Attr>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs)
            if (v is not null) d[k] = v;
        return d;
    }
}
