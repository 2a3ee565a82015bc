// Rotary position embedding in HF's half-rotation layout (wq/wk rows are stored permuted, see
// RotaryPermutation): out = [x1·cos − x2·sin, x2·cos + x1·sin] with x = [x1 | x2] split at D/2,
// angle(pos, i) = pos · θ^(−2i/D). Equals llama2.c's interleaved rotation on unpermuted weights.
// --kernels native: one ai.med42 Rotary node per input over the same caches (float32, HF half layout).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff.Rules;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Llama.Blocks;

public sealed class RotaryBlock
{
    private RotaryBlock(Value cos, Value sin, int headDim)
    {
        Cos = cos;
        Sin = sin;
        HeadDim = headDim;
    }

    /// <summary>cos/sin gathered at the position ids: [B, T, D/2].</summary>
    public Value Cos { get; }
    public Value Sin { get; }
    public int HeadDim { get; }
    /// <summary>Composite ONNX ops or the ai.med42 Rotary op (also read by the decoder layer for its RMSNorms).</summary>
    public LlamaKernels Kernels { get; private init; }

    // The caches [maxPos, D/2] the gathered Cos/Sin come from (At gathers them at other positions).
    private Value _cosCache = null!, _sinCache = null!;

    // Native path: the caches [maxPos, D/2] and position ids [B,T] the ai.med42 Rotary op indexes itself.
    private (Value CosCache, Value SinCache, Value PositionIds)? _native;

    // cos/sin with the head axes between B and T inserted, for rank-4 [B,H,T,D] and rank-5 [B,Hkv,G,T,D]
    // inputs: built once under /model/rotary and shared by all layers.
    private readonly Dictionary<int, (Value Cos, Value Sin)> _byRank = [];

    private (Value Cos, Value Sin) ForRank(int rank) =>
        _byRank.TryGetValue(rank, out var v) ? v : throw new ArgumentException($"rotary input of rank {rank} (expected 4 or 5)");

    /// <summary>Builds the cos/sin caches [maxPos, D/2] (computed in float64) and gathers them at <paramref name="positionIds"/> [B,T].</summary>
    public static RotaryBlock Create(GraphBuilder b, LlamaConfig c, Value positionIds, DType type, LlamaKernels kernels = LlamaKernels.Onnx)
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
        using var _ = b.Scope("rotary");
        var cosCache = b.Initializer("rotary.cos_cache", Cache(cos, maxPos, half, type));
        var sinCache = b.Initializer("rotary.sin_cache", Cache(sin, maxPos, half, type));
        if (kernels == LlamaKernels.Native)
            return new RotaryBlock(cosCache, sinCache, c.HeadDim) { Kernels = kernels, _native = (cosCache, sinCache, positionIds) };
        var block = new RotaryBlock(b.Gather(cosCache, positionIds), b.Gather(sinCache, positionIds), c.HeadDim) { _cosCache = cosCache, _sinCache = sinCache };
        foreach (var rank in new[] { 4, 5 })
        {
            var extra = Enumerable.Range(1, rank - 3).Select(i => (long)i).ToArray();
            block._byRank[rank] = (b.Unsqueeze(block.Cos, extra), b.Unsqueeze(block.Sin, extra));
        }
        return block;
    }

    private static TensorSource Cache(double[] values, int rows, int cols, DType type)
    {
        if (type == DType.F64) return TensorSource.FromDoubles([rows, cols], values);
        var floats = values.Select(v => (float)v).ToArray();
        var raw = new byte[floats.Length * type.Size()];
        FloatConvert.FromFloat32(type, floats, raw);
        return TensorSource.FromBytes(type, [rows, cols], raw);
    }

    // cos/sin [B,T,1,D/2] for token-major [B,T,H,D] inputs, made on first use.
    private (Value Cos, Value Sin)? _tokenMajor;

    /// <summary>The same rotation at other positions [B,S] (token-major use only; onnx kernels).</summary>
    public RotaryBlock At(GraphBuilder b, Value positions)
    {
        if (_native is not null) throw new ArgumentException("RotaryBlock.At: onnx kernels only");
        return new RotaryBlock(b.Gather(_cosCache, positions), b.Gather(_sinCache, positions), HeadDim) { _cosCache = _cosCache, _sinCache = _sinCache };
    }

    /// <summary>Rotates <paramref name="x"/> [B, heads…, T, D]; cos/sin are unsqueezed to match its rank.</summary>
    public Value Apply(GraphBuilder b, Value x)
    {
        if (_native is { } n) return ApplyNative(b, x, n.CosCache, n.SinCache, n.PositionIds);
        var (cos, sin) = ForRank(x.Rank);
        return Rotate(b, x, cos, sin);
    }

    /// <summary>Rotates token-major <paramref name="x"/> [B, T, H, D] (onnx kernels only).</summary>
    public Value ApplyTokenMajor(GraphBuilder b, Value x)
    {
        if (_native is not null || x.Rank != 4) throw new ArgumentException("token-major rotary takes [B,T,H,D] with onnx kernels");
        _tokenMajor ??= (b.Unsqueeze(Cos, 2), b.Unsqueeze(Sin, 2));
        return Rotate(b, x, _tokenMajor.Value.Cos, _tokenMajor.Value.Sin);
    }

    private Value Rotate(GraphBuilder b, Value x, Value cos, Value sin)
    {
        var half = HeadDim / 2;
        var parts = b.Split(x, -1, half, half);
        var (x1, x2) = (parts[0], parts[1]);
        var first = b.Sub(b.Mul(x1, cos), b.Mul(x2, sin));
        var second = b.Add(b.Mul(x2, cos), b.Mul(x1, sin));
        return b.Concat(-1, first, second);
    }

    // x [B, heads…, T, D] → [B, heads…, T, 1, D] so every (b, heads…, t) row is one H = 1 row of the op, with
    // the position ids [B,T] broadcast to [B, heads…, T] (Unsqueeze + Expand to x's leading shape).
    private static Value ApplyNative(GraphBuilder b, Value x, Value cosCache, Value sinCache, Value positionIds)
    {
        var rank = x.Rank;
        if (rank is not (4 or 5)) throw new ArgumentException($"rotary input of rank {rank} (expected 4 or 5)");
        var headAxes = Enumerable.Range(1, rank - 3).Select(i => (long)i).ToArray();
        var positions = b.Expand(b.Unsqueeze(positionIds, headAxes), b.Shape(x, 0, rank - 1), x.Shape![..^1]);
        var rows = b.Unsqueeze(x, rank - 1);
        var rotated = Med42Ops.Rotary(b, rows, positions, cosCache, sinCache, interleaved: false);
        return b.Squeeze(rotated, rank - 1);
    }
}
