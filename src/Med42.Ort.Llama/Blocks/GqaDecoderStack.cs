// The decoder layers of the GroupQueryAttention strategy, with ONNX Runtime's fused norms as GenAI's model
// builder lays them out: the residual add rides inside SkipSimplifiedLayerNormalization.
//   r = x; n = SimplifiedLayerNorm(x)                                   (layer 0 input_layernorm)
//   per layer:  a = GQA-attn(n);  (n, r) = SkipSimplifiedLayerNorm(a, r) (post_attention_layernorm)
//               m = MLP(n);       (n, r) = SkipSimplifiedLayerNorm(m, r) (next input_layernorm / final norm)
// SkipSimplifiedLayerNorm(a, r) returns RMSNorm(a + r)·w and a + r, so this equals DecoderLayerBlock's
// h = x + Attn(RMSNorm(x)); y = h + MLP(RMSNorm(h)) up to float rounding.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class GqaDecoderStack
{
    /// <summary>Returns the final-normed hidden states [B,T,C] and each layer's present key/value.</summary>
    public static (Value Hidden, IReadOnlyList<KeyValue> Presents) Build(GraphBuilder b, Value x, GqaContext ctx, IReadOnlyList<KeyValue> past)
    {
        var (c, weights) = (ctx.Parts.Config, ctx.Parts.Weights);
        var presents = new List<KeyValue>();
        Value residual = x, normed;
        Value? pending = null;
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            using var _ = b.Scope($"layers.{i}");
            var specs = WeightLayout.Layer(c, i);
            using (b.Scope("input_layernorm"))
            {
                var w = weights.Get(b, specs["input_layernorm"]);
                if (pending is null) normed = Simplified(b, x, w, c.RmsNormEps);
                else (normed, residual) = Skip(b, pending, residual, w, c.RmsNormEps);
            }
            var (attn, pk, pv) = GqaAttentionBlock.Build(b, i, normed, ctx, past[i].Key, past[i].Value);
            presents.Add(new KeyValue(pk, pv));
            using (b.Scope("post_attention_layernorm"))
                (normed, residual) = Skip(b, attn, residual, weights.Get(b, specs["post_attention_layernorm"]), c.RmsNormEps);
            pending = MlpBlock.Build(b, c, i, normed, ctx.Parts.Linear, weights);
        }
        using (b.Scope("norm"))
        {
            var w = weights.Get(b, WeightLayout.For(c).First(s => s.Name == WeightLayout.FinalNorm));
            normed = pending is null ? Simplified(b, x, w, c.RmsNormEps) : Skip(b, pending, residual, w, c.RmsNormEps).Normed;
        }
        return (normed, presents);
    }

    // ONNX-domain contrib op registered by ORT: y = x / sqrt(mean(x²) + ε) · w, statistics in float32 (stash_type 1).
    private static Value Simplified(GraphBuilder b, Value x, Value w, double eps) =>
        b.Op("SimplifiedLayerNormalization", [x, w], x.Type, x.Shape,
            new Dictionary<string, Attr> { ["axis"] = -1L, ["epsilon"] = (float)eps, ["stash_type"] = 1L });

    // Outputs: 0 normed, 1 mean, 2 inv_std_var, 3 input + skip (the new residual).
    private static (Value Normed, Value Sum) Skip(GraphBuilder b, Value input, Value skip, Value w, double eps)
    {
        Dim[]? stat = input.Shape is null ? null : [.. input.Shape[..^1], 1];
        var outs = b.OpN("SkipSimplifiedLayerNormalization", [input, skip, w],
            [(input.Type, input.Shape), (Core.Tensors.DType.F32, stat), (Core.Tensors.DType.F32, stat), (input.Type, input.Shape)],
            new Dictionary<string, Attr> { ["epsilon"] = (float)eps }, GraphBuilder.MicrosoftDomain);
        return (outs[0], outs[3]);
    }
}
