// Element types shared by checkpoint IO, the graph IR and the runtime. One enum, one table of facts.
namespace Med42.Ort.Core.Tensors;

/// <summary>Element type of a tensor. Names follow safetensors' dtype strings.</summary>
public enum DType
{
    F32,
    F16,
    BF16,
    F64,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this DType t) => t switch
    {
        DType.F64 or DType.I64 => 8,
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };

    public static bool IsFloat(this DType t) => t is DType.F32 or DType.F16 or DType.BF16 or DType.F64;

    /// <summary>The dtype string safetensors uses in its header ("F32", "BF16", "BOOL", ...).</summary>
    public static string SafetensorsName(this DType t) => t == DType.Bool ? "BOOL" : t.ToString().ToUpperInvariant();

    public static bool TryParseSafetensors(string name, out DType type)
    {
        foreach (var t in Enum.GetValues<DType>())
            if (t.SafetensorsName() == name) { type = t; return true; }
        type = default;
        return false;
    }

    /// <summary>ONNX TensorProto.DataType code.</summary>
    public static int OnnxCode(this DType t) => t switch
    {
        DType.F32 => 1,
        DType.U8 => 2,
        DType.I8 => 3,
        DType.I16 => 5,
        DType.I32 => 6,
        DType.I64 => 7,
        DType.Bool => 9,
        DType.F16 => 10,
        DType.F64 => 11,
        DType.BF16 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };

    public static DType FromOnnxCode(int code)
    {
        foreach (var t in Enum.GetValues<DType>())
            if (t.OnnxCode() == code) return t;
        throw new ArgumentOutOfRangeException(nameof(code), code, "unsupported ONNX element type");
    }
}
