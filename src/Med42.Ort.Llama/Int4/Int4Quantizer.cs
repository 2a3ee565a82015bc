// Round-to-nearest block-wise 4-bit quantisation of a linear weight W [N, K] (nn.Linear [out, in])
// into ONNX Runtime's MatMulNBits layout (onnxruntime/contrib_ops/cpu/quantization/matmul_nbits.cc,
// docs/ContribOperators.md "com.microsoft.MatMulNBits"):
//   B            uint8 [N, ⌈K/bs⌉, bs/2]; two codes per byte, the low nibble holds the even k
//   scales       float [N·⌈K/bs⌉]
//   zero_points  uint8 [N·⌈⌈K/bs⌉/2⌉]; two blocks per byte, low nibble = even block (absent: 8)
//   W[n,k] ≈ (q[n,k] − zp[n, k/bs]) · scale[n, k/bs]
// Symmetric: scale = m / −8 with m the block's value of largest magnitude (MLAS's MlasQuantizeBlockwise
// choice: m itself maps exactly to code 0), zp = 8. Asymmetric: the range [min(0,lo), max(0,hi)]
// spread over 0…15, zp = round(−lo/scale). K not a multiple of bs is zero-padded in the last block.
// Test: tests/Med42.Ort.Export.Tests/Int4/Int4QuantizerTests.cs.
namespace Med42.Ort.Llama.Int4;

public sealed record Int4Options
{
    public static readonly int[] BlockSizes = [16, 32, 64, 128];

    /// <summary>Weights per scale along K (16, 32, 64 or 128).</summary>
    public int BlockSize { get; init; } = 32;

    /// <summary>Stores a zero point per block (range [lo, hi] instead of [−|m|, |m|]).</summary>
    public bool Asymmetric { get; init; }

    /// <summary>MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 activations.</summary>
    public int AccuracyLevel { get; init; }

    /// <summary>Also quantise the LM head (embeddings always stay in float: Gather needs float rows).</summary>
    public bool QuantizeHead { get; init; }

    public Int4Options Validate(string source = "int4")
    {
        if (!BlockSizes.Contains(BlockSize))
            throw new Core.Errors.Med42Exception($"{source}: block size {BlockSize} is not supported (expected one of {string.Join(", ", BlockSizes)})");
        if (AccuracyLevel is < 0 or > 4)
            throw new Core.Errors.Med42Exception($"{source}: accuracy level {AccuracyLevel} is out of range 0..4");
        return this;
    }
}

/// <summary>One quantised [N, K] weight in MatMulNBits' layout.</summary>
public sealed record Int4Weight(int N, int K, int BlockSize, byte[] Packed, float[] Scales, byte[]? ZeroPoints)
{
    public int BlocksPerRow => (K + BlockSize - 1) / BlockSize;
    public int BlobSize => BlockSize / 2;

    /// <summary>Bytes of B, scales (fp32) and zero points together.</summary>
    public long ByteSize => Packed.LongLength + Scales.LongLength * 4 + (ZeroPoints?.LongLength ?? 0);

    /// <summary>The 4-bit code of W[n, k].</summary>
    public int Code(int n, int k)
    {
        var b = Packed[((long)n * BlocksPerRow + k / BlockSize) * BlobSize + k % BlockSize / 2];
        return k % 2 == 0 ? b & 0x0F : b >> 4;
    }

    /// <summary>The zero point of block <paramref name="block"/> of row <paramref name="n"/>.</summary>
    public int ZeroPoint(int n, int block)
    {
        if (ZeroPoints is null) return 8;
        var perRow = (BlocksPerRow + 1) / 2;
        var b = ZeroPoints[(long)n * perRow + block / 2];
        return block % 2 == 0 ? b & 0x0F : b >> 4;
    }

    /// <summary>W' [N, K] row-major, as MatMulNBits reconstructs it.</summary>
    public float[] Dequantize()
    {
        var w = new float[(long)N * K];
        for (var n = 0; n < N; n++)
            for (var k = 0; k < K; k++)
            {
                var block = k / BlockSize;
                w[(long)n * K + k] = (Code(n, k) - ZeroPoint(n, block)) * Scales[(long)n * BlocksPerRow + block];
            }
        return w;
    }
}

public static class Int4Quantizer
{
    /// <summary>Quantises <paramref name="w"/> [N, K] row-major.</summary>
    public static Int4Weight Quantize(ReadOnlySpan<float> w, int n, int k, Int4Options options)
    {
        options.Validate();
        if (w.Length != (long)n * k) throw new ArgumentException($"{w.Length} values for [{n},{k}]");
        var bs = options.BlockSize;
        var blocks = (k + bs - 1) / bs;
        var packed = new byte[(long)n * blocks * (bs / 2)];
        var scales = new float[(long)n * blocks];
        var zpPerRow = (blocks + 1) / 2;
        var zps = options.Asymmetric ? new byte[(long)n * zpPerRow] : null;
        var codes = new int[bs];
        for (var row = 0; row < n; row++)
            for (var blk = 0; blk < blocks; blk++)
            {
                var start = blk * bs;
                var len = Math.Min(bs, k - start);
                var values = w.Slice(row * k + start, len);
                float scale;
                int zp;
                if (options.Asymmetric)
                {
                    float lo = 0, hi = 0;
                    foreach (var v in values) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
                    scale = (hi - lo) / 15f;
                    zp = scale == 0 ? 8 : Math.Clamp((int)MathF.Round(-lo / scale, MidpointRounding.ToEven), 0, 15);
                }
                else
                {
                    float m = 0;
                    foreach (var v in values) if (Math.Abs(v) > Math.Abs(m)) m = v;
                    scale = m / -8f;
                    zp = 8;
                }
                var inv = scale == 0 ? 0f : 1f / scale;
                Array.Clear(codes);
                for (var i = 0; i < bs; i++)
                    codes[i] = i < len ? Math.Clamp((int)MathF.Round(values[i] * inv, MidpointRounding.ToEven) + zp, 0, 15) : zp; // padding decodes to 0
                var baseIndex = ((long)row * blocks + blk) * (bs / 2);
                for (var i = 0; i < bs / 2; i++) packed[baseIndex + i] = (byte)(codes[2 * i] | (codes[2 * i + 1] << 4));
                scales[(long)row * blocks + blk] = scale;
                if (zps is not null)
                {
                    ref var b = ref zps[(long)row * zpPerRow + blk / 2];
                    b = blk % 2 == 0 ? (byte)((b & 0xF0) | zp) : (byte)((b & 0x0F) | (zp << 4));
                }
            }
        return new Int4Weight(n, k, bs, packed, scales, zps);
    }
}
