// FiniteCheck against a naive oracle: decode every element to double and test double.IsFinite, for every
// float dtype, lengths on both sides of the vector width, NaN/Inf (and their payload and sign variants)
// planted at random places; the vectorised scan must report the same first index.
using System.Buffers.Binary;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Core.Tests.Tensors;

public class FiniteCheckTests
{
    private static double Decode(DType t, ReadOnlySpan<byte> raw, int i) => t switch
    {
        DType.F32 => BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]),
        DType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]),
        DType.BF16 => FloatConvert.FromBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..])),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]),
    };

    private static long Naive(DType t, byte[] raw)
    {
        for (var i = 0; i < raw.Length / t.Size(); i++)
            if (!double.IsFinite(Decode(t, raw, i))) return i;
        return -1;
    }

    // Bit patterns with an all-ones exponent: +Inf, -Inf, quiet NaN, signalling NaN, negative NaN with payload.
    private static byte[] NonFinite(DType t, Random rng) => t switch
    {
        DType.F32 => BitConverter.GetBytes(new[] { 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7F800001u, 0xFFFFFFFFu }[rng.Next(5)]),
        DType.F16 => BitConverter.GetBytes(new ushort[] { 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFFFF }[rng.Next(5)]),
        DType.BF16 => BitConverter.GetBytes(new ushort[] { 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0xFFFF }[rng.Next(5)]),
        _ => BitConverter.GetBytes(new[] { 0x7FF0000000000000ul, 0xFFF0000000000000ul, 0x7FF8000000000000ul, 0x7FF0000000000001ul, ulong.MaxValue }[rng.Next(5)]),
    };

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    [InlineData(DType.F64)]
    public void FirstIndexMatchesTheNaiveScan(DType t)
    {
        var rng = new Random(5); // only makes test data; the oracle decodes the same bytes
        for (var trial = 0; trial < 600; trial++)
        {
            var n = rng.Next(0, 140);
            var raw = new byte[n * t.Size()];
            rng.NextBytes(raw);
            // Random bits are non-finite often (1 in 32 for F16): clear the top exponent bit, then plant 0–2 bad values.
            for (var b = t.Size() - 1; b < raw.Length; b += t.Size()) raw[b] &= 0xBF;
            for (var k = rng.Next(3); k > 0 && n > 0; k--) NonFinite(t, rng).CopyTo(raw, rng.Next(n) * t.Size());
            Assert.Equal(Naive(t, raw), FiniteCheck.FirstNonFinite(t, raw));
        }
    }

    [Fact]
    public void LargestFiniteValuesAndSubnormalsPass()
    {
        float[] f32 = [float.MaxValue, -float.MaxValue, float.Epsilon, -0f, 1e-40f];
        Assert.Equal(-1, FiniteCheck.FirstNonFinite(f32));
        var f16 = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(f16, Half.MaxValue); // 65504
        BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2), Half.Epsilon);
        Assert.Equal(-1, FiniteCheck.FirstNonFinite(DType.F16, f16));
        Assert.Equal(-1, FiniteCheck.FirstNonFinite(DType.I32, [0xFF, 0xFF, 0x80, 0x7F])); // integers are never non-finite
    }

    [Fact]
    public void RequireNamesFileTensorAndIndex()
    {
        var values = new float[1000];
        values[777] = float.NegativeInfinity;
        var e = Assert.Throws<Med42Exception>(() => FiniteCheck.Require(values, "m.safetensors", "model.norm.weight"));
        Assert.StartsWith("m.safetensors: tensor 'model.norm.weight': element 777 is -Inf", e.Message);
        values[777] = 0;
        values[5] = float.NaN;
        e = Assert.Throws<Med42Exception>(() => FiniteCheck.Require(values, "m.safetensors", "w", firstElement: 1 << 20));
        Assert.StartsWith($"m.safetensors: tensor 'w': element {(1 << 20) + 5} is NaN", e.Message);
    }
}
