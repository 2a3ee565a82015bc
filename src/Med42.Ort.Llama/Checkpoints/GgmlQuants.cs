// ggml's two legacy block quantisations, bit for bit as ggml-quants.c writes and reads them
// (quantize_row_q8_0_ref / quantize_row_q4_0_ref, dequantize_row_q8_0 / dequantize_row_q4_0):
//   Q8_0 block (34 bytes): fp16 d, int8 qs[32];        d = amax / 127,  q = roundf(x / d)
//   Q4_0 block (18 bytes): fp16 d, u8 qs[16] (nibbles); d = m / -8 where m is the value of largest |x|
//                          (the first one on ties), q = min(15, (int8)(x / d + 8.5)),
//                          byte j = q[j] | q[j + 16] << 4 (low nibbles the first 16 values)
//   value = q·d (Q8_0), (q − 8)·d (Q4_0), with d widened from fp16.
// Every step is float32 as in the C code (x·(1/d), not x/d; truncation of x·id + 8.5, roundf half away
// from zero), and the scale is stored as fp16 rounded to nearest even (GGML_FP32_TO_FP16).
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/GgmlQuantsTests.cs (a naive float64 model of the
// format) and tests/Med42.Ort.Export.Tests/Gguf/LlamaCppQuantsTests.cs (ggml's own functions).
using System.Buffers.Binary;

namespace Med42.Ort.Llama.Checkpoints;

public static class GgmlQuants
{
    public static class Q8_0
    {
        public const int BlockSize = 32;
        public const int BlockBytes = 2 + BlockSize;

        public static void Quantize(ReadOnlySpan<float> x, Span<byte> dest)
        {
            var blocks = CheckSizes(x.Length, dest.Length, BlockSize, BlockBytes);
            for (var b = 0; b < blocks; b++)
            {
                var v = x.Slice(b * BlockSize, BlockSize);
                var y = dest.Slice(b * BlockBytes, BlockBytes);
                var amax = 0f;
                foreach (var f in v) amax = MathF.Max(amax, MathF.Abs(f));
                var d = amax / 127f;
                var id = d != 0f ? 1f / d : 0f;
                BinaryPrimitives.WriteUInt16LittleEndian(y, BitConverter.HalfToUInt16Bits((Half)d));
                for (var j = 0; j < BlockSize; j++) y[2 + j] = (byte)(sbyte)MathF.Round(v[j] * id, MidpointRounding.AwayFromZero);
            }
        }

        public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dest)
        {
            var blocks = CheckSizes(dest.Length, src.Length, BlockSize, BlockBytes);
            for (var b = 0; b < blocks; b++)
            {
                var y = src.Slice(b * BlockBytes, BlockBytes);
                var d = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(y));
                for (var j = 0; j < BlockSize; j++) dest[b * BlockSize + j] = (sbyte)y[2 + j] * d;
            }
        }
    }

    public static class Q4_0
    {
        public const int BlockSize = 32;
        public const int BlockBytes = 2 + BlockSize / 2;

        public static void Quantize(ReadOnlySpan<float> x, Span<byte> dest)
        {
            var blocks = CheckSizes(x.Length, dest.Length, BlockSize, BlockBytes);
            for (var b = 0; b < blocks; b++)
            {
                var v = x.Slice(b * BlockSize, BlockSize);
                var y = dest.Slice(b * BlockBytes, BlockBytes);
                float amax = 0f, max = 0f;
                foreach (var f in v)
                    if (amax < MathF.Abs(f)) { amax = MathF.Abs(f); max = f; }
                var d = max / -8f;
                var id = d != 0f ? 1f / d : 0f;
                BinaryPrimitives.WriteUInt16LittleEndian(y, BitConverter.HalfToUInt16Bits((Half)d));
                for (var j = 0; j < BlockSize / 2; j++)
                    y[2 + j] = (byte)(Nibble(v[j] * id) | Nibble(v[BlockSize / 2 + j] * id) << 4);
            }
        }

        /// <summary>MIN(15, (int8_t)(x + 8.5f)): the float-to-int cast truncates towards zero.</summary>
        private static int Nibble(float scaled) => Math.Min(15, (int)(sbyte)(int)(scaled + 8.5f));

        public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dest)
        {
            var blocks = CheckSizes(dest.Length, src.Length, BlockSize, BlockBytes);
            for (var b = 0; b < blocks; b++)
            {
                var y = src.Slice(b * BlockBytes, BlockBytes);
                var d = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(y));
                for (var j = 0; j < BlockSize / 2; j++)
                {
                    dest[b * BlockSize + j] = ((y[2 + j] & 0x0F) - 8) * d;
                    dest[b * BlockSize + BlockSize / 2 + j] = ((y[2 + j] >> 4) - 8) * d;
                }
            }
        }
    }

    /// <summary>Quantises float32 values into <paramref name="type"/>'s bytes (F32 and F16 included).</summary>
    public static void Encode(GgmlType type, ReadOnlySpan<float> x, Span<byte> dest)
    {
        switch (type)
        {
            case GgmlType.F32:
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(x).CopyTo(dest);
                break;
            case GgmlType.F16:
                for (var i = 0; i < x.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], BitConverter.HalfToUInt16Bits((Half)x[i]));
                break;
            case GgmlType.Q8_0: Q8_0.Quantize(x, dest); break;
            case GgmlType.Q4_0: Q4_0.Quantize(x, dest); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>The inverse of <see cref="Encode"/> (exact for F32; the format's rounding for the others).</summary>
    public static void Decode(GgmlType type, ReadOnlySpan<byte> src, Span<float> dest)
    {
        switch (type)
        {
            case GgmlType.F32:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(src).CopyTo(dest);
                break;
            case GgmlType.F16:
                for (var i = 0; i < dest.Length; i++) dest[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                break;
            case GgmlType.Q8_0: Q8_0.Dequantize(src, dest); break;
            case GgmlType.Q4_0: Q4_0.Dequantize(src, dest); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    private static int CheckSizes(int values, int bytes, int blockSize, int blockBytes)
    {
        if (values % blockSize != 0) throw new ArgumentException($"{values} values are not a whole number of {blockSize}-value blocks");
        var blocks = values / blockSize;
        if (bytes != blocks * blockBytes) throw new ArgumentException($"{blocks} blocks need {blocks * blockBytes} bytes, got {bytes}");
        return blocks;
    }
}
