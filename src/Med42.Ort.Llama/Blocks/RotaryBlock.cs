// Rotary position embedding in HF's half-rotation layout (wq/wk rows are stored permuted, see
// RotaryPermutation): out = [x1·cos − x2·sin, x2·cos + x1·sin] with x = [x1 | x2] split at D/2,
// angle(pos, i) = pos · θ^(−2i/D). Equals llama2.c's interleaved rotation on unpermuted weights.
//   caches [maxPos, D/2] ─Gather(position_ids)─ cos, sin [B,T,D/2] ─Unsqueeze─ per input rank (built once)
//   x ─Split(D/2)─ x1, x2 ─Mul/Sub/Add─ Concat ─ y
// Built from standard ONNX ops (OnnxKernels); Med42Rotary is the ai.med42 custom-op equivalent.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class RotaryBlock : IRotary
{
    private RotaryBlock(Value cos, Value sin, int headDim, Value cosCache, Value sinCache)
    {
        Cos = cos;
        Sin = sin;
        HeadDim = headDim;
        _cosCache = cosCache;
        _sinCache = sinCache;
    }

    /// <summary>cos/sin gathered at the position ids: [B, T, D/2].</summary>
    public Value Cos { get; }
    public Value Sin { get; }
    public int HeadDim { get; }

    // The caches [maxPos, D/2] the gathered Cos/Sin come from (At gathers them at other positions).
    private readonly Value _cosCache, _sinCache;

    // cos/sin with the head axes between B and T inserted, for rank-4 [B,H,T,D] and rank-5 [B,Hkv,G,T,D]
    // inputs: built once under /model/rotary and shared by all layers.
    private readonly Dictionary<int, (Value Cos, Value Sin)> _byRank = [];

    // cos/sin [B,T,1,D/2] for token-major [B,T,H,D] inputs, made on first use.
    private (Value Cos, Value Sin)? _tokenMajor;

    /// <summary>Builds the cos/sin caches [maxPos, D/2] (RotaryCache) and gathers them at <paramref name="positionIds"/> [B,T].</summary>
    public static RotaryBlock Create(GraphBuilder b, LlamaConfig c, Value positionIds, DType type)
    {
        using var _ = b.Scope("rotary");
        var (cosCache, sinCache) = RotaryCache.Build(b, c, type);
        var block = new RotaryBlock(b.Gather(cosCache, positionIds), b.Gather(sinCache, positionIds), c.HeadDim, cosCache, sinCache);
        foreach (var rank in new[] { 4, 5 })
        {
            var extra = Enumerable.Range(1, rank - 3).Select(i => (long)i).ToArray();
            block._byRank[rank] = (b.Unsqueeze(block.Cos, extra), b.Unsqueeze(block.Sin, extra));
        }
        return block;
    }

    /// <summary>The same rotation at other positions [B,S] (token-major use only).</summary>
    public RotaryBlock At(GraphBuilder b, Value positions) =>
        new(b.Gather(_cosCache, positions), b.Gather(_sinCache, positions), HeadDim, _cosCache, _sinCache);

    /// <summary>Rotates <paramref name="x"/> [B, heads…, T, D]; cos/sin are unsqueezed to match its rank.</summary>
    public Value Apply(GraphBuilder b, Value x)
    {
        var (cos, sin) = _byRank.TryGetValue(x.Rank, out var v) ? v : throw new ArgumentException($"rotary input of rank {x.Rank} (expected 4 or 5)");
        return Rotate(b, x, cos, sin);
    }

    /// <summary>Rotates token-major <paramref name="x"/> [B, T, H, D].</summary>
    public Value ApplyTokenMajor(GraphBuilder b, Value x)
    {
        if (x.Rank != 4) throw new ArgumentException($"token-major rotary takes [B,T,H,D], got rank {x.Rank}");
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
}
