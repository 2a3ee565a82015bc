// Builds one-graph ONNX models with OnnxSharp's protobuf classes and runs them with ONNX Runtime:
// the oracle graphs (SimplifiedLayerNormalization, RotaryEmbedding, MatMulNBits) and the
// custom-op / plain-op comparison graphs of the tests.
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Med42.Ort.Native.Tests;

internal sealed class TinyModel
{
    private readonly GraphProto graph = new() { Name = "tiny" };
    private readonly Dictionary<string, long> opsets = new() { [""] = 17 };
    private readonly List<(string Name, OrtValue Value)> feeds = [];

    public const int Float = 1, UInt8 = 2, Int64 = 7;

    public TinyModel Opset(string domain, long version) { opsets[domain] = version; return this; }

    public TinyModel Input(string name, float[] data, params long[] shape) => AddInput(name, Float, shape, OrtValue.CreateTensorValueFromMemory(data, shape));
    public TinyModel Input(string name, long[] data, params long[] shape) => AddInput(name, Int64, shape, OrtValue.CreateTensorValueFromMemory(data, shape));
    public TinyModel Input(string name, byte[] data, params long[] shape) => AddInput(name, UInt8, shape, OrtValue.CreateTensorValueFromMemory(data, shape));

    private TinyModel AddInput(string name, int elemType, long[] shape, OrtValue value)
    {
        graph.Input.Add(ValueInfo(name, elemType, shape));
        feeds.Add((name, value));
        return this;
    }

    public TinyModel ConstInt64(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        graph.Initializer.Add(t);
        return this;
    }

    public TinyModel ConstFloat(string name, float value)
    {
        var t = new TensorProto { Name = name, DataType = Float };
        t.FloatData.Add(value);
        graph.Initializer.Add(t);
        return this;
    }

    public TinyModel Node(string op, string[] inputs, string[] outputs, string domain = "", params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Domain = domain, Name = $"n{graph.Node.Count}_{op}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return this;
    }

    public TinyModel Output(string name, int elemType = Float)
    {
        graph.Output.Add(ValueInfo(name, elemType, null));
        return this;
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Attr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, int elemType, long[]? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = elemType };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in shape) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "med42-tests", Graph = graph };
        foreach (var (domain, version) in opsets) model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return model.ToByteArray();
    }

    /// <summary>Runs the model and returns each output as a float array.</summary>
    public float[][] Run(string? customOpLibrary = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        if (customOpLibrary is not null) options.RegisterCustomOpLibrary(customOpLibrary);
        using var session = new InferenceSession(ToBytes(), options);
        using var runOptions = new RunOptions();
        var names = graph.Output.Select(o => o.Name).ToArray();
        using var results = session.Run(runOptions, feeds.Select(f => f.Name).ToArray(), feeds.Select(f => f.Value).ToArray(), names);
        var outputs = results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        foreach (var f in feeds) f.Value.Dispose();
        return outputs;
    }
}
