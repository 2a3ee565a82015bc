// ONNX Runtime's LoRA adapter file (.onnx_adapter), written by hand with FlatBufferBuilder from the schema
// onnxruntime/lora/adapter_format/adapter_schema.fbs (file_identifier "TORT", kAdapterFormatVersion = 1):
//   table Parameter { name:string; dims:[int64]; data_type:TensorDataType (= ONNX TensorProto code);
//                     raw_data:[uint8] (force_align: 8); }
//   table Adapter   { format_version:int; adapter_version:int; model_version:int; parameters:[Parameter]; }
// ORT (OrtLoraAdapter + RunOptions.AddActiveLoraAdapter) feeds every parameter as the model input of the
// same name, so the names must match the base model's inputs exactly: ValidateAgainst says which do not.
// Test: tests/Med42.Ort.Export.Tests/Adapters/OnnxAdapterTests.cs.
using Google.FlatBuffers;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Export.Adapters;

/// <summary>One adapter parameter: little-endian raw bytes of <paramref name="Type"/> in row-major <paramref name="Dims"/>.</summary>
public sealed record OnnxAdapterParameter(string Name, DType Type, long[] Dims, byte[] Data);

/// <summary>A model input as the validation sees it: element type and dims (null = symbolic).</summary>
public sealed record ModelInput(string Name, DType Type, long?[] Dims);

public static class OnnxAdapterFile
{
    public const string Extension = ".onnx_adapter";
    public const string FileIdentifier = "TORT";
    /// <summary>The only format version ONNX Runtime 1.20–1.31 accepts (adapter_format_version.h).</summary>
    public const int FormatVersion = 1;

    /// <summary>ONNX TensorProto.DataType codes (the schema's TensorDataType enum uses the same numbers).</summary>
    public static int OnnxCode(DType t) => t switch
    {
        DType.F32 => 1, DType.U8 => 2, DType.I8 => 3, DType.I16 => 5, DType.I32 => 6, DType.I64 => 7,
        DType.Bool => 9, DType.F16 => 10, DType.F64 => 11, DType.BF16 => 16,
        _ => throw new NotSupportedException(t.ToString()),
    };

    /// <summary>The file's bytes. Parameters are written in the given order.</summary>
    public static byte[] ToBytes(IReadOnlyList<OnnxAdapterParameter> parameters, int adapterVersion = 1, int modelVersion = 1)
    {
        var fbb = new FlatBufferBuilder(1024 + parameters.Sum(p => p.Data.Length + 64 + p.Name.Length));
        var offsets = new Offset<Table>[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.Data.LongLength != p.Dims.Aggregate(1L, (a, d) => a * d) * p.Type.Size())
                throw new ArgumentException($"parameter '{p.Name}': {p.Data.Length} bytes do not fit dims [{string.Join(",", p.Dims)}] of {p.Type}");
            // Children before the table that refers to them (FlatBuffers builds back to front).
            var name = fbb.CreateString(p.Name);
            fbb.StartVector(sizeof(long), p.Dims.Length, sizeof(long));
            for (var d = p.Dims.Length - 1; d >= 0; d--) fbb.AddLong(p.Dims[d]);
            var dims = fbb.EndVector();
            fbb.StartVector(1, p.Data.Length, 8); // raw_data: force_align 8, so ORT can view it as any element type in place
            fbb.Add<byte>(p.Data);
            var raw = fbb.EndVector();
            fbb.StartTable(4);
            fbb.AddOffset(0, name.Value, 0);
            fbb.AddOffset(1, dims.Value, 0);
            fbb.AddInt(2, OnnxCode(p.Type), 0);
            fbb.AddOffset(3, raw.Value, 0);
            offsets[i] = new Offset<Table>(fbb.EndTable());
        }
        fbb.StartVector(sizeof(int), offsets.Length, sizeof(int));
        for (var i = offsets.Length - 1; i >= 0; i--) fbb.AddOffset(offsets[i].Value);
        var paramVector = fbb.EndVector();
        fbb.StartTable(4);
        fbb.AddInt(0, FormatVersion, 0);
        fbb.AddInt(1, adapterVersion, 0);
        fbb.AddInt(2, modelVersion, 0);
        fbb.AddOffset(3, paramVector.Value, 0);
        var root = fbb.EndTable();
        fbb.Finish(root, FileIdentifier);
        return fbb.SizedByteArray();
    }

    /// <summary>Writes the file through a temporary sibling and a rename.</summary>
    public static void Write(string path, IReadOnlyList<OnnxAdapterParameter> parameters, int adapterVersion = 1, int modelVersion = 1)
    {
        AtomicFile.WriteAllBytes(path, ToBytes(parameters, adapterVersion, modelVersion));
    }

    /// <summary>
    /// Checks every parameter against the base model's inputs: a parameter without an input of the same
    /// name, or with another element type, rank or fixed dim, is an error naming both sides. When nothing
    /// matches at all the message lists the model's LoRA-looking inputs, the usual cause being a naming
    /// scheme mismatch (PEFT names vs an exporter's own).
    /// </summary>
    public static void ValidateAgainst(string adapterSource, IReadOnlyList<OnnxAdapterParameter> parameters, string modelSource, IReadOnlyList<ModelInput> inputs)
    {
        var byName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var missing = parameters.Where(p => !byName.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
        {
            var loraInputs = inputs.Where(i => i.Name.Contains("lora", StringComparison.OrdinalIgnoreCase)).Select(i => i.Name).ToList();
            var hint = loraInputs.Count == 0
                ? $"{modelSource} has no LoRA inputs at all (export the base model with LoRA inputs: med42 export --format onnx-adapter)"
                : $"{modelSource}'s LoRA inputs are e.g. '{loraInputs[0]}' ({loraInputs.Count} in all)";
            throw Med42Exception.At(adapterSource, $"parameter '{missing[0]}'",
                $"the base model has no input of this name ({missing.Count} of {parameters.Count} parameters are missing); {hint}");
        }
        foreach (var p in parameters)
        {
            var input = byName[p.Name];
            if (input.Type != p.Type)
                throw Med42Exception.At(adapterSource, $"parameter '{p.Name}'", $"is {p.Type} but {modelSource}'s input is {input.Type}");
            if (input.Dims.Length != p.Dims.Length || input.Dims.Zip(p.Dims).Any(x => x.First is { } fixedDim && fixedDim != x.Second))
                throw Med42Exception.At(adapterSource, $"parameter '{p.Name}'",
                    $"shape [{string.Join(",", p.Dims)}] does not fit {modelSource}'s input [{string.Join(",", input.Dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]");
        }
    }
}
