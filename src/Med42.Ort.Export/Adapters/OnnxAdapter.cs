// PEFT adapter tensors → ONNX Runtime adapter parameters for a base model built with LoraInputLinear:
// same PEFT names and layouts (A [r, in], B [out, r]), B pre-scaled by α/r (float64 product, rounded
// once to the target type) because the base graph adds (x·Aᵀ)·Bᵀ without a scale.
// Also reads a model's inputs (for OnnxAdapterFile.ValidateAgainst) from an ONNX file via ONNX Runtime.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Export.Adapters;

public static class OnnxAdapter
{
    /// <summary>Adapter parameters in LoraWeights.For order, stored as <paramref name="type"/> (F32, F16 or F64).</summary>
    public static List<OnnxAdapterParameter> FromPeft(LlamaConfig model, LoraConfig lora, ITensorStore tensors, DType type)
    {
        var list = new List<OnnxAdapterParameter>();
        foreach (var spec in LoraWeights.For(model, lora))
        {
            var values = tensors.ReadFloat32(spec.Name);
            var scale = spec.Name.EndsWith(".lora_B.weight", StringComparison.Ordinal) ? lora.Scale : 1.0;
            list.Add(new OnnxAdapterParameter(spec.Name, type, spec.Shape, Encode(values, scale, type)));
        }
        return list;
    }

    private static byte[] Encode(float[] values, double scale, DType type)
    {
        if (type == DType.F64)
        {
            var d = values.Select(v => v * scale).ToArray();
            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(d.AsSpan()).ToArray();
        }
        var f = values.Select(v => (float)(v * scale)).ToArray();
        var raw = new byte[f.Length * type.Size()];
        FloatConvert.FromFloat32(type, f, raw);
        return raw;
    }

    /// <summary>The inputs of an ONNX model file (overridable initializers included), as ONNX Runtime reports them.</summary>
    public static List<ModelInput> ReadInputs(string onnxPath)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(onnxPath, options);
        // Inputs with a default initializer (LoRA parameters) are listed apart, as overridable initializers.
        return [.. session.InputMetadata.Concat(session.OverridableInitializerMetadata).Select(kv => new ModelInput(kv.Key, ToDType(kv.Value.ElementDataType),
            kv.Value.Dimensions.Select((d, i) => d >= 0 && string.IsNullOrEmpty(kv.Value.SymbolicDimensions[i]) ? (long?)d : null).ToArray()))];
    }

    private static DType ToDType(TensorElementType t) => t switch
    {
        TensorElementType.Float => DType.F32,
        TensorElementType.Float16 => DType.F16,
        TensorElementType.BFloat16 => DType.BF16,
        TensorElementType.Double => DType.F64,
        TensorElementType.Int64 => DType.I64,
        TensorElementType.Int32 => DType.I32,
        TensorElementType.Bool => DType.Bool,
        TensorElementType.UInt8 => DType.U8,
        TensorElementType.Int8 => DType.I8,
        _ => throw new NotSupportedException(t.ToString()),
    };
}
