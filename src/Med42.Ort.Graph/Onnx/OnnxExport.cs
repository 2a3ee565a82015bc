// Serialises an IR graph to an ONNX ModelProto (OnnxSharp's protobuf classes).
// Large initializers stream to one external-data file beside the model: mandatory above 2 GB
// (protobuf's limit), optional below. External paths are relative names inside the model folder.
using Google.Protobuf;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Onnx;

namespace Med42.Ort.Graph.Onnx;

public sealed record OnnxExportOptions
{
    /// <summary>Write initializers of at least this many bytes to external data; null = only when needed (&gt; 2 GB total).</summary>
    public long? ExternalDataThreshold { get; init; }
    public string ProducerName { get; init; } = "Med42.Ort";
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public static class OnnxExport
{
    private const long ProtobufLimit = 2L * 1024 * 1024 * 1024 - 64 * 1024 * 1024; // leave room for the graph itself

    /// <summary>In-memory model with every initializer inline (small models, tests).</summary>
    public static byte[] ToBytes(IrGraph graph, OnnxExportOptions? options = null)
    {
        var model = Build(graph, options ?? new(), externalFile: null, externalStream: null, threshold: long.MaxValue);
        return model.ToByteArray();
    }

    /// <summary>
    /// Writes <paramref name="fileName"/> (and "<paramref name="fileName"/>.data" when external data is used) into
    /// <paramref name="folder"/>, via temporary files renamed at the end.
    /// </summary>
    public static string Save(IrGraph graph, string folder, string fileName = "model.onnx", OnnxExportOptions? options = null)
    {
        options ??= new();
        Directory.CreateDirectory(folder);
        var total = graph.Initializers.Sum(i => i.Data.ByteSize);
        var threshold = options.ExternalDataThreshold ?? (total > ProtobufLimit ? 1024 : long.MaxValue);
        var dataName = fileName + ".data";
        var modelPath = Path.Combine(folder, fileName);
        var dataPath = Path.Combine(folder, dataName);
        var usesExternal = graph.Initializers.Any(i => i.Data.ByteSize >= threshold);
        using var pendingModel = PendingFile.Create(modelPath);
        using var pendingData = PendingFile.Create(dataPath);
        ModelProto model;
        if (usesExternal)
        {
            using var data = pendingData.OpenWrite(1 << 20);
            model = Build(graph, options, dataName, data, threshold);
        }
        else model = Build(graph, options, null, null, long.MaxValue);
        using (var output = pendingModel.OpenWrite())
            model.WriteTo(output);
        // The data file first: a model under the final name always finds its data.
        if (usesExternal) pendingData.Commit();
        else if (File.Exists(dataPath)) File.Delete(dataPath);
        pendingModel.Commit();
        return modelPath;
    }

    private static ModelProto Build(IrGraph graph, OnnxExportOptions options, string? externalFile, Stream? externalStream, long threshold)
    {
        var g = new GraphProto { Name = graph.Name };
        foreach (var v in graph.Inputs) g.Input.Add(ValueInfo(v));
        foreach (var v in graph.Outputs) g.Output.Add(ValueInfo(v));
        foreach (var init in graph.Initializers)
        {
            var t = new TensorProto { Name = init.Value.Name, DataType = init.Data.Type.OnnxCode() };
            t.Dims.AddRange(init.Data.Shape);
            if (externalStream is not null && init.Data.ByteSize >= threshold)
            {
                // Align each tensor to 64 bytes so ORT can memory-map it.
                var pad = (64 - externalStream.Position % 64) % 64;
                if (pad > 0) externalStream.Write(new byte[pad]);
                var offset = externalStream.Position;
                init.Data.WriteTo(externalStream);
                t.DataLocation = TensorProto.Types.DataLocation.External;
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = externalFile });
                t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = init.Data.ByteSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            else t.RawData = ByteString.CopyFrom(init.Data.ToArray());
            g.Initializer.Add(t);
        }
        foreach (var n in graph.Nodes) g.Node.Add(NodeProtoOf(n));

        var model = new ModelProto { IrVersion = 8, ProducerName = options.ProducerName, Graph = g };
        foreach (var (domain, version) in graph.Opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        if (options.Metadata is not null)
            foreach (var (k, v) in options.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    private static NodeProto NodeProtoOf(Node n)
    {
        var p = new NodeProto { Name = n.Name, OpType = n.OpType, Domain = n.Domain };
        p.Input.AddRange(n.Inputs.Select(i => i?.Name ?? ""));
        p.Output.AddRange(n.Outputs.Select(o => o.Name));
        foreach (var (name, attr) in n.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            p.Attribute.Add(AttributeOf(name, attr));
        return p;
    }

    private static AttributeProto AttributeOf(string name, Attr attr)
    {
        var a = new AttributeProto { Name = name };
        switch (attr)
        {
            case IntAttr i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i.Value; break;
            case FloatAttr f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f.Value; break;
            case StringAttr s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s.Value); break;
            case IntsAttr ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints.Value); break;
            case FloatsAttr floats: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(floats.Value); break;
            case TensorAttr t:
                a.Type = AttributeProto.Types.AttributeType.Tensor;
                var tp = new TensorProto { DataType = t.Value.Type.OnnxCode(), RawData = ByteString.CopyFrom(t.Value.ToArray()) };
                tp.Dims.AddRange(t.Value.Shape);
                a.T = tp;
                break;
            default: throw new NotSupportedException(attr.GetType().Name);
        }
        return a;
    }

    private static ValueInfoProto ValueInfo(Value v)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = v.Type.OnnxCode() };
        if (v.Shape is not null)
        {
            var shape = new TensorShapeProto();
            foreach (var d in v.Shape)
                shape.Dim.Add(d.IsFixed ? new TensorShapeProto.Types.Dimension { DimValue = d.Size!.Value } : new TensorShapeProto.Types.Dimension { DimParam = d.Symbol });
            tensor.Shape = shape;
        }
        return new ValueInfoProto { Name = v.Name, Type = new TypeProto { TensorType = tensor } };
    }
}
