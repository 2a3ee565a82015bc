// Conversions between float32 and the 16-bit float formats, element-wise over spans.
// BF16 rounding is round-to-nearest-even (as torch.Tensor.to(torch.bfloat16)); NaN stays NaN.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Med42.Ort.Core.Tensors;

public static class FloatConvert
{
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>Decodes little-endian raw bytes of <paramref name="type"/> into float32.</summary>
    public static void ToFloat32(DType type, ReadOnlySpan<byte> raw, Span<float> dest)
    {
        var n = raw.Length / type.Size();
        if (dest.Length < n) throw new ArgumentException("destination too small", nameof(dest));
        switch (type)
        {
            case DType.F32:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(dest);
                break;
            case DType.F16:
                for (var i = 0; i < n; i++) dest[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]));
                break;
            case DType.BF16:
                for (var i = 0; i < n; i++) dest[i] = FromBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]));
                break;
            case DType.F64:
                var d = MemoryMarshal.Cast<byte, double>(raw);
                for (var i = 0; i < n; i++) dest[i] = (float)d[i];
                break;
            default:
                throw new NotSupportedException($"cannot convert {type} to float32");
        }
    }

    /// <summary>Encodes float32 values as little-endian raw bytes of <paramref name="type"/>.</summary>
    public static void FromFloat32(DType type, ReadOnlySpan<float> values, Span<byte> dest)
    {
        if (dest.Length < values.Length * type.Size()) throw new ArgumentException("destination too small", nameof(dest));
        switch (type)
        {
            case DType.F32:
                MemoryMarshal.AsBytes(values).CopyTo(dest);
                break;
            case DType.F16:
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], BitConverter.HalfToUInt16Bits((Half)values[i]));
                break;
            case DType.BF16:
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], ToBFloat16(values[i]));
                break;
            case DType.F64:
                var d = MemoryMarshal.Cast<byte, double>(dest);
                for (var i = 0; i < values.Length; i++) d[i] = values[i];
                break;
            default:
                throw new NotSupportedException($"cannot convert float32 to {type}");
        }
    }
}
