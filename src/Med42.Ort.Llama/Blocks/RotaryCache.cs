// The cos/sin caches [maxPos, D/2] every rotary implementation reads (RotaryBlock gathers them, the ai.med42
// Rotary op and ORT's GroupQueryAttention / RotaryEmbedding index them): angle(p, i) = p · θ^(−2i/D),
// computed in float64 and rounded once to the compute type.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class RotaryCache
{
    /// <summary>The initializers rotary.cos_cache and rotary.sin_cache, [maxPos, D/2] of <paramref name="type"/>.</summary>
    public static (Value Cos, Value Sin) Build(GraphBuilder b, LlamaConfig c, DType type)
    {
        var half = c.HeadDim / 2;
        var maxPos = c.MaxPositionEmbeddings;
        var cos = new double[maxPos * half];
        var sin = new double[maxPos * half];
        for (var p = 0; p < maxPos; p++)
            for (var i = 0; i < half; i++)
            {
                var angle = p * Math.Pow(c.RopeTheta, -2.0 * i / c.HeadDim);
                cos[p * half + i] = Math.Cos(angle);
                sin[p * half + i] = Math.Sin(angle);
            }
        return (b.Initializer("rotary.cos_cache", Source(cos, maxPos, half, type)), b.Initializer("rotary.sin_cache", Source(sin, maxPos, half, type)));
    }

    private static TensorSource Source(double[] values, int rows, int cols, DType type)
    {
        if (type == DType.F64) return TensorSource.FromDoubles([rows, cols], values);
        var floats = values.Select(v => (float)v).ToArray();
        var raw = new byte[floats.Length * type.Size()];
        FloatConvert.FromFloat32(type, floats, raw);
        return TensorSource.FromBytes(type, [rows, cols], raw);
    }
}
