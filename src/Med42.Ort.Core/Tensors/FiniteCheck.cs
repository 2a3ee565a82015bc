// NaN/Inf detection over raw tensor bytes, vectorised with System.Numerics.Vector<T>: an IEEE value is
// non-finite exactly when its exponent bits are all ones, so one AND + compare per lane tests a whole
// vector of F32 (0x7F800000), F16 (0x7C00), BF16 (0x7F80) or F64 (0x7FF0…) values without converting
// them; the scalar scan runs only to locate the first bad element once a vector has hit.
// Readers call Require on every tensor they hand out (checkpoints, adapters), the runtime on logits.
// Test: tests/Med42.Ort.Core.Tests/Tensors/FiniteCheckTests.cs.
using System.Numerics;
using System.Runtime.InteropServices;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tensors;

public static class FiniteCheck
{
    /// <summary>
    /// Readers check what they read in chunks of this size, right after each chunk arrives: the bytes are still in
    /// cache, so the check costs a pass over cache rather than a second trip through memory. A multiple of 8.
    /// </summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>Index of the first NaN or ±Inf element of <paramref name="raw"/> (little-endian <paramref name="type"/>), or -1; integer types are always finite.</summary>
    public static long FirstNonFinite(DType type, ReadOnlySpan<byte> raw) => type switch
    {
        DType.F32 => First<uint>(MemoryMarshal.Cast<byte, uint>(raw), 0x7F80_0000u),
        DType.F16 => First<ushort>(MemoryMarshal.Cast<byte, ushort>(raw), (ushort)0x7C00),
        DType.BF16 => First<ushort>(MemoryMarshal.Cast<byte, ushort>(raw), (ushort)0x7F80),
        DType.F64 => First<ulong>(MemoryMarshal.Cast<byte, ulong>(raw), 0x7FF0_0000_0000_0000ul),
        _ => -1,
    };

    /// <summary>Index of the first NaN or ±Inf in <paramref name="values"/>, or -1.</summary>
    public static long FirstNonFinite(ReadOnlySpan<float> values) => First<uint>(MemoryMarshal.Cast<float, uint>(values), 0x7F80_0000u);

    /// <summary>
    /// Throws "file: tensor 'name': element i is NaN" when <paramref name="raw"/> holds a non-finite value;
    /// <paramref name="firstElement"/> offsets the reported index when the bytes are a chunk of the tensor.
    /// </summary>
    public static void Require(DType type, ReadOnlySpan<byte> raw, string file, string tensor, long firstElement = 0)
    {
        var i = FirstNonFinite(type, raw);
        if (i >= 0) throw NonFinite(file, tensor, firstElement + i, Describe(type, raw, i));
    }

    /// <summary>As <see cref="Require(DType, ReadOnlySpan{byte}, string, string, long)"/> over float32 values.</summary>
    public static void Require(ReadOnlySpan<float> values, string file, string tensor, long firstElement = 0) =>
        Require(DType.F32, MemoryMarshal.AsBytes(values), file, tensor, firstElement);

    private static Med42Exception NonFinite(string file, string tensor, long index, string value) =>
        Med42Exception.At(file, $"tensor '{tensor}'", $"element {index} is {value}: weights must be finite (a corrupt or diverged checkpoint?)");

    private static string Describe(DType type, ReadOnlySpan<byte> raw, long i)
    {
        var v = type switch
        {
            DType.F32 => MemoryMarshal.Cast<byte, float>(raw)[(int)i],
            DType.F16 => (double)BitConverter.UInt16BitsToHalf(MemoryMarshal.Cast<byte, ushort>(raw)[(int)i]),
            DType.BF16 => FloatConvert.FromBFloat16(MemoryMarshal.Cast<byte, ushort>(raw)[(int)i]),
            _ => MemoryMarshal.Cast<byte, double>(raw)[(int)i],
        };
        return double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }

    // Four vectors per step, compared and OR-ed before one branch; the scalar loop only locates the element.
    // Fully optimised from the first call: it runs once per tensor over gigabytes, never warm enough for tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long First<T>(ReadOnlySpan<T> bits, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= 4 * Vector<T>.Count)
        {
            var mask = new Vector<T>(exponent);
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(bits);
            var v = 0;
            for (; v + 4 <= vectors.Length; v += 4)
            {
                var hit = Vector.Equals(vectors[v] & mask, mask) | Vector.Equals(vectors[v + 1] & mask, mask)
                    | Vector.Equals(vectors[v + 2] & mask, mask) | Vector.Equals(vectors[v + 3] & mask, mask);
                if (hit != Vector<T>.Zero) break;
            }
            i = v * Vector<T>.Count;
        }
        for (; i < bits.Length; i++)
            if ((bits[i] & exponent) == exponent) return i;
        return -1;
    }
}
