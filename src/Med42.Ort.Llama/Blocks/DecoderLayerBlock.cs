// One decoder layer: h = x + Attn(RMSNorm(x)); y = h + MLP(RMSNorm(h)).
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class DecoderLayerBlock
{
    /// <summary>The layer's output and, for the plain attention block, its present key/value (null through MultiHeadAttention, which keeps no cache).</summary>
    /// <param name="rows">Set (MultiHeadAttention only): the layer's output is computed for these rows only, [B,S,C].</param>
    public static (Value Output, Value? PresentKey, Value? PresentValue) Build(
        GraphBuilder b, LlamaConfig c, int layer, Value x, AttentionContext ctx, Value? pastKey, Value? pastValue, ScoredRows? rows = null)
    {
        using var _ = b.Scope($"layers.{layer}");
        var specs = WeightLayout.Layer(c, layer);
        Value normed;
        using (b.Scope("input_layernorm"))
            normed = RmsNormBlock.Build(b, x, ctx.Weights.Get(b, specs["input_layernorm"]), c.RmsNormEps, ctx.Rotary.Kernels);
        Value attn;
        Value? presentK = null, presentV = null;
        if (ctx.MultiHead is { } mha) attn = MhaAttentionBlock.Build(b, c, layer, normed, ctx, mha, rows);
        else if (rows is not null) throw new ArgumentException("row-restricted layers need MultiHeadAttention");
        else (attn, presentK, presentV) = AttentionBlock.Build(b, c, layer, normed, ctx, pastKey, pastValue);
        var h = b.Add(rows is null ? x : RowGather.Along(b, x, rows.Positions, 1), attn);
        Value normed2;
        using (b.Scope("post_attention_layernorm"))
            normed2 = RmsNormBlock.Build(b, h, ctx.Weights.Get(b, specs["post_attention_layernorm"]), c.RmsNormEps, ctx.Rotary.Kernels);
        var mlp = MlpBlock.Build(b, c, layer, normed2, ctx.Linear, ctx.Weights);
        return (b.Add(h, mlp), presentK, presentV);
    }
}
