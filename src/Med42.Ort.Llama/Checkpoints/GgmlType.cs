// The ggml tensor types the GGUF writer emits, with their block geometry (ggml.c type_traits:
// blck_size, type_size). A quantised row of ne0 values takes ne0 / BlockSize blocks of BlockBytes.
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/GgmlQuantsTests.cs.
namespace Med42.Ort.Llama.Checkpoints;

/// <summary>ggml_type ids as GGUF stores them.</summary>
public enum GgmlType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 8,
}

public static class GgmlTypes
{
    /// <summary>Values per block: 1 for the float types, 32 (QK4_0 = QK8_0) for the two quantised ones.</summary>
    public static int BlockSize(this GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 => 1,
        GgmlType.Q4_0 => GgmlQuants.Q4_0.BlockSize,
        GgmlType.Q8_0 => GgmlQuants.Q8_0.BlockSize,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Bytes per block: 4, 2, 18 (fp16 d + 16 nibble bytes), 34 (fp16 d + 32 int8).</summary>
    public static int BlockBytes(this GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.Q4_0 => GgmlQuants.Q4_0.BlockBytes,
        GgmlType.Q8_0 => GgmlQuants.Q8_0.BlockBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Bytes of a tensor whose rows hold <paramref name="rowLength"/> (ne0) values.</summary>
    public static long ByteSize(this GgmlType type, long elementCount, long rowLength)
    {
        if (rowLength <= 0 || elementCount % rowLength != 0) throw new ArgumentException($"{elementCount} values do not split into rows of {rowLength}");
        if (rowLength % type.BlockSize() != 0) throw new ArgumentException($"{type} needs rows that are a multiple of {type.BlockSize()} values, got {rowLength}");
        return checked(elementCount / type.BlockSize() * type.BlockBytes());
    }
}
