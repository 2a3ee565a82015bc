// Test helpers for the QLoRA tests: a random weight quantised by Int4Quantizer and a com.microsoft
// MatMulNBits node over it (the layout Int4Linear emits: B [N, ⌈K/bs⌉, bs/2], scales [N·⌈K/bs⌉], zero points).
using System.Runtime.InteropServices;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Int4;

namespace Med42.Ort.Training.Tests.Qlora;

internal static class Int4Graphs
{
    public static Int4Weight RandomWeight(int n, int k, int blockSize, bool asymmetric, int seed)
    {
        var rng = new Random(seed);
        var w = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return Int4Quantizer.Quantize(w, n, k, new Int4Options { BlockSize = blockSize, Asymmetric = asymmetric });
    }

    public static (Value Packed, Value Scales, Value? Zeros) Initializers(GraphBuilder b, Int4Weight w) =>
        (b.Initializer("w.qweight", TensorSource.FromBytes(DType.U8, [w.N, w.BlocksPerRow, w.BlobSize], w.Packed)),
         b.Initializer("w.scales", TensorSource.FromFloats([w.Scales.LongLength], w.Scales)),
         w.ZeroPoints is null ? null : b.Initializer("w.qzeros", TensorSource.FromBytes(DType.U8, [w.ZeroPoints.LongLength], w.ZeroPoints)));

    /// <summary>y [..., N] = x [..., K] · W'ᵀ as one MatMulNBits node (accuracy_level 0: float32 compute).</summary>
    public static Value MatMulNBits(GraphBuilder b, Value x, Int4Weight w)
    {
        var (packed, scales, zeros) = Initializers(b, w);
        var attrs = new Dictionary<string, Attr>(StringComparer.Ordinal)
        {
            ["K"] = (long)w.K, ["N"] = (long)w.N, ["bits"] = 4L, ["block_size"] = (long)w.BlockSize, ["accuracy_level"] = 0L,
        };
        return b.Op("MatMulNBits", zeros is null ? [x, packed, scales] : [x, packed, scales, zeros], DType.F32,
            [.. x.Shape![..^1], Dim.Of(w.N)], attrs, GraphBuilder.MicrosoftDomain);
    }

    public static byte[] Bytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
}
