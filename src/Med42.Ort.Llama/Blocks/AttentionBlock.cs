// Grouped-query self-attention from standard ONNX ops (differentiable by our autodiff).
// Heads are grouped [B, Hkv, G, T, D] (query head h = kv·G + g uses kv head h / G, as llama2.c and HF
// repeat_kv do) so K and V broadcast over G inside MatMul instead of being copied.
//   q = x·Wqᵀ → [B,Hkv,G,T,D] → rotary;  k, v = x·Wkᵀ, x·Wvᵀ → [B,Hkv,T,D] (k rotary) → concat past → present
//   scores = q·kᵀ/√D [B,Hkv,G,T,S], masked → softmax → ·v → [B,T,C] → ·Woᵀ
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

/// <summary>What every plain attention layer shares: the boolean mask [B,1,1,T,S] (true = masked) and the rotary.</summary>
public sealed record AttentionContext(DecoderParts Parts, Value Mask, IRotary Rotary);

public static class AttentionBlock
{
    /// <summary>Returns the attention output [B,T,C] and the present key/value [B,Hkv,S,D].</summary>
    public static (Value Output, Value PresentKey, Value PresentValue) Build(
        GraphBuilder b, int layer, Value x, AttentionContext ctx, Value? pastKey, Value? pastValue)
    {
        using var _ = b.Scope("attn");
        var c = ctx.Parts.Config;
        var (h, hkv, d, g) = (c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.GroupSize);
        var layout = WeightLayout.Layer(c, layer);

        Value Project(string name, Value input) => Projection.Build(b, ctx.Parts.Linear, ctx.Parts.Weights, layout, name, input);

        var q = Project("q_proj", x);                                                          // [B,T,H·D]
        var k = Project("k_proj", x);                                                          // [B,T,Hkv·D]
        var v = Project("v_proj", x);

        var q5 = b.Transpose(b.Reshape(q, [0, 0, hkv, g, d]), 0, 2, 3, 1, 4);                // [B,Hkv,G,T,D]
        var k4 = b.Transpose(b.Reshape(k, [0, 0, hkv, d]), 0, 2, 1, 3);                      // [B,Hkv,T,D]
        var v4 = b.Transpose(b.Reshape(v, [0, 0, hkv, d]), 0, 2, 1, 3);
        q5 = ctx.Rotary.Apply(b, q5);
        k4 = ctx.Rotary.Apply(b, k4);

        var presentK = pastKey is null ? k4 : b.Concat(2, pastKey, k4);                       // [B,Hkv,S,D]
        var presentV = pastValue is null ? v4 : b.Concat(2, pastValue, v4);

        var keyT = b.Unsqueeze(b.Transpose(presentK, 0, 1, 3, 2), 2);                        // [B,Hkv,1,D,S]
        var scores = b.Mul(b.MatMul(q5, keyT), b.Scalar(1.0 / Math.Sqrt(d), x.Type));         // [B,Hkv,G,T,S]
        scores = b.Where(ctx.Mask, b.Scalar(LowestFinite(x.Type), x.Type), scores);
        var probs = b.Softmax(b.Cast(scores, x.Type == DType.F64 ? DType.F64 : DType.F32), -1);
        probs = b.Cast(probs, x.Type);
        var context = b.MatMul(probs, b.Unsqueeze(presentV, 2));                              // [B,Hkv,G,T,D]
        var merged = b.Reshape(b.Transpose(context, 0, 3, 1, 2, 4), [0, 0, h * d]);            // [B,T,C]
        return (Project("o_proj", merged), presentK, presentV);
    }

    /// <summary>The most negative finite value: a masked score never wins, and a fully masked row stays finite.</summary>
    public static double LowestFinite(DType t) => t switch
    {
        DType.F64 => double.MinValue,
        DType.F32 => float.MinValue,
        DType.F16 => -65504.0,
        DType.BF16 => -3.38e38,
        _ => throw new NotSupportedException(t.ToString()),
    };
}
