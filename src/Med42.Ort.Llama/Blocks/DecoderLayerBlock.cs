// One decoder layer: h = x + Attn(RMSNorm(x)); y = h + MLP(RMSNorm(h)).
//   x ─RMSNorm─ attend ─┐
//   x ──────────────────Add─ h ─RMSNorm─ MLP ─┐
//                            h ───────────────Add─ y
// The attention strategy supplies attend (AttentionBlock, MhaAttentionBlock); the kernels the two RMSNorms.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

/// <summary>Layer <paramref name="layer"/>'s attention over its normed input: the output and, with a cache, its present.</summary>
public delegate (Value Output, KeyValue? Present) LayerAttention(GraphBuilder b, int layer, Value normed);

public static class DecoderLayerBlock
{
    /// <param name="rows">Set: the attention output covers these rows [B,S] only, so the residual and MLP do too ([B,S,C]).</param>
    public static (Value Output, KeyValue? Present) Build(GraphBuilder b, DecoderParts p, int layer, Value x, LayerAttention attend, Value? rows = null)
    {
        using var _ = b.Scope($"layers.{layer}");
        var (c, specs) = (p.Config, WeightLayout.Layer(p.Config, layer));
        Value normed;
        using (b.Scope("input_layernorm"))
            normed = p.Kernels.RmsNorm(b, x, p.Weights.Get(b, specs["input_layernorm"]), c.RmsNormEps);
        var (attn, present) = attend(b, layer, normed);
        var h = b.Add(rows is null ? x : RowGather.Along(b, x, rows, 1), attn);
        Value normed2;
        using (b.Scope("post_attention_layernorm"))
            normed2 = p.Kernels.RmsNorm(b, h, p.Weights.Get(b, specs["post_attention_layernorm"]), c.RmsNormEps);
        var mlp = MlpBlock.Build(b, c, layer, normed2, p.Linear, p.Weights);
        return (b.Add(h, mlp), present);
    }
}
