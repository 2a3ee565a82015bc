// Self-attention through ONNX Runtime's com.microsoft MultiHeadAttention with an additive attention_bias,
// for inference graphs without a KV cache whose mask is not plain causal (the scoring graph's shared-context
// rows). One fused kernel replaces the plain block's transposes, score MatMul, Where, Softmax and ·V:
//   q, k, v = x·Wqᵀ, x·Wkᵀ, x·Wvᵀ  [B,T,H·D], [B,T,Hkv·D]  (any ILinearFactory)
//   q, k rotated token-major [B,T,H,D] by the plain block's RotaryBlock (ORT's RotaryEmbedding refuses rows
//        longer than its cache, and a shared-context row can be longer than the model's context)
//   k, v repeated to H heads when Hkv < H (query head h reads kv head h / G, as HF repeat_kv)
//   y = MultiHeadAttention(q, k, v, attention_bias) · Woᵀ,  attention_bias [B,1,T,T] = 0 or the lowest float
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

/// <summary>What every MultiHeadAttention layer shares: the token-major rotary and the additive bias [B,1,T,T].</summary>
public sealed record MhaContext(DecoderParts Parts, RotaryBlock Rotary, Value Bias);

/// <summary>Rows [B,S] a layer computes queries and outputs for, with the rotary and bias rows at those positions.</summary>
public sealed record ScoredRows(Value Positions, RotaryBlock Rotary, Value Bias);

public static class MhaAttentionBlock
{
    /// <summary>The additive bias from a boolean mask [B,1,1,T,T] (true = masked), built once per graph.</summary>
    public static Value Bias(GraphBuilder b, Value mask, DType type)
    {
        using var _ = b.Scope("attn_bias");
        return b.Where(b.Squeeze(mask, 2), b.Scalar(AttentionBlock.LowestFinite(type), type), b.Scalar(0.0, type));   // [B,1,T,T]
    }

    /// <param name="rows">Set: queries (and the output) for these rows only, attending to every row's keys.</param>
    public static Value Build(GraphBuilder b, int layer, Value x, MhaContext ctx, ScoredRows? rows = null)
    {
        using var _ = b.Scope("attn");
        var c = ctx.Parts.Config;
        var (h, hkv, d) = (c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
        var layout = WeightLayout.Layer(c, layer);
        Value Project(string name, Value input) => Projection.Build(b, ctx.Parts.Linear, ctx.Parts.Weights, layout, name, input);
        var q = rows is null
            ? Rotate(b, Project("q_proj", x), ctx.Rotary, h, d)                                     // [B,T,H·D]
            : Rotate(b, Project("q_proj", RowGather.Along(b, x, rows.Positions, 1)), rows.Rotary, h, d);   // [B,S,H·D]
        var k = Rotate(b, Project("k_proj", x), ctx.Rotary, hkv, d);                                // [B,T,Hkv·D]
        var v = Project("v_proj", x);
        if (hkv < h)
        {
            k = RepeatHeads(b, k, c);
            v = RepeatHeads(b, v, c);
        }
        var attrs = new Dictionary<string, Attr> { ["num_heads"] = h };
        var outShape = new Dim[] { q.Shape![0], q.Shape[1], h * d };
        var context = b.Op("MultiHeadAttention", [q, k, v, null, null, rows?.Bias ?? ctx.Bias], x.Type, outShape, attrs, GraphBuilder.MicrosoftDomain);
        return Project("o_proj", context);
    }

    private static Value Rotate(GraphBuilder b, Value x, RotaryBlock rotary, int heads, int d) =>
        b.Reshape(rotary.ApplyTokenMajor(b, b.Reshape(x, [0, 0, heads, d])), [0, 0, heads * d]);

    // [B,T,Hkv·D] → [B,T,Hkv,G,D] (each kv head copied G times) → [B,T,H·D].
    private static Value RepeatHeads(GraphBuilder b, Value x, LlamaConfig c)
    {
        var (hkv, g, d) = (c.NumKeyValueHeads, c.GroupSize, c.HeadDim);
        var split = b.Reshape(x, [0, 0, hkv, 1, d]);
        var shape = b.Concat(0, b.Shape(x, 0, 2), b.Ints(hkv, g, d));
        var repeated = b.Expand(split, shape, [x.Shape![0], x.Shape[1], hkv, g, d]);
        return b.Reshape(repeated, [0, 0, hkv * g * d]);
    }
}
