// Rotary through the ai.med42 Rotary custom op (Med42Kernels, --kernels native): one node per input over
// the same caches as RotaryBlock (float32, HF half layout), indexing them at the position ids itself.
//   x [B, heads…, T, D] ─Unsqueeze─ [B, heads…, T, 1, D] ─Rotary(positions [B, heads…, T])─ Squeeze ─ y
// Its gradient is the ai.med42 RotaryGrad node (Graph/Autodiff/Rules/RotaryGrad.cs).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class Med42Rotary : IRotary
{
    private readonly Value _cosCache, _sinCache, _positionIds;

    private Med42Rotary(Value cosCache, Value sinCache, Value positionIds)
    {
        _cosCache = cosCache;
        _sinCache = sinCache;
        _positionIds = positionIds;
    }

    /// <summary>The caches [maxPos, D/2] (RotaryCache) and the position ids [B,T] the op indexes them at.</summary>
    public static Med42Rotary Create(GraphBuilder b, LlamaConfig c, Value positionIds, DType type)
    {
        var (cos, sin) = RotaryCache.Build(b, c, type);
        return new Med42Rotary(cos, sin, positionIds);
    }

    // Every (b, heads…, t) row becomes one H = 1 row of the op, with the position ids [B,T] broadcast to
    // [B, heads…, T] (Unsqueeze + Expand to x's leading shape).
    public Value Apply(GraphBuilder b, Value x)
    {
        var rank = x.Rank;
        if (rank is not (4 or 5)) throw new ArgumentException($"rotary input of rank {rank} (expected 4 or 5)");
        var headAxes = Enumerable.Range(1, rank - 3).Select(i => (long)i).ToArray();
        var positions = b.Expand(b.Unsqueeze(_positionIds, headAxes), b.Shape(x, 0, rank - 1), x.Shape![..^1]);
        var rows = b.Unsqueeze(x, rank - 1);
        var rotated = b.Med42Rotary(rows, positions, _cosCache, _sinCache, interleaved: false);
        return b.Squeeze(rotated, rank - 1);
    }
}
