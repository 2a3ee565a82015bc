// The cos/sin caches GroupQueryAttention (do_rotary) and com.microsoft RotaryEmbedding read:
// [maxPos, D/2] with angle(p, i) = p · θ^(−2i/D), computed in float64 and rounded once to the compute
// type — the same values RotaryBlock gathers for the plain decoder.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class GqaRotaryCache
{
    public static (Value Cos, Value Sin) Build(GraphBuilder b, LlamaConfig c, DType type)
    {
        var half = c.HeadDim / 2;
        var maxPos = c.MaxPositionEmbeddings;
        var cos = new float[maxPos * half];
        var sin = new float[maxPos * half];
        for (var p = 0; p < maxPos; p++)
            for (var i = 0; i < half; i++)
            {
                var angle = p * Math.Pow(c.RopeTheta, -2.0 * i / c.HeadDim);
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }
        using var _ = b.Scope("rotary");
        return (b.Initializer("rotary.cos_cache", Source(cos, maxPos, half, type)), b.Initializer("rotary.sin_cache", Source(sin, maxPos, half, type)));
    }

    private static TensorSource Source(float[] values, int rows, int cols, DType type)
    {
        var raw = new byte[values.Length * type.Size()];
        FloatConvert.FromFloat32(type, values, raw);
        return TensorSource.FromBytes(type, [rows, cols], raw);
    }
}
