// Self-attention through ONNX Runtime's com.microsoft GroupQueryAttention (the kernel GenAI's model
// builder emits), for the `--attention gqa` decoder:
//   q, k, v = x·Wqᵀ, x·Wkᵀ, x·Wvᵀ  [B,T,H·D], [B,T,Hkv·D]  (any ILinearFactory: plain, LoRA, int4)
//   rotary:  GQA's own (do_rotary = 1, cos/sin caches [maxPos, D/2]) when D % 16 == 0 — ORT's fused
//            rotary needs it — else one com.microsoft RotaryEmbedding node on q and k at position_ids
//   out, present_k, present_v = GroupQueryAttention(q, k, v, past_k, past_v, seqlens_k, total_len)
//   y = out·Woᵀ
// The kernel applies the causal mask itself and reads each row's key count from seqlens_k; past and
// present are [B,Hkv,S,D], and may share one buffer (GenAI's past_present_share_buffer).
// Rotary is non-interleaved (HF's half rotation) to match the permuted q/k rows (RotaryPermutation).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

/// <summary>What every GQA layer shares: seqlens_k [B] int32, total_sequence_length (int32 scalar), rotary caches.</summary>
public sealed record GqaContext(DecoderParts Parts, Value SeqLensK, Value TotalLength, Value PositionIds, Value CosCache, Value SinCache,
    bool FusedRotary);

public static class GqaAttentionBlock
{
    /// <summary>ORT's GQA rotary kernel needs head_size % 16 == 0; other heads use a RotaryEmbedding node.</summary>
    public static bool CanFuseRotary(LlamaConfig c) => c.HeadDim % 16 == 0;

    /// <summary>seqlens_k = Σ attention_mask − 1 per row and total_sequence_length = S, as GQA wants them.</summary>
    public static (Value SeqLensK, Value TotalLength) Lengths(GraphBuilder b, Value attentionMask)
    {
        using var _ = b.Scope("gqa_lengths");
        var seqLens = b.Cast(b.Sub(b.ReduceSum(attentionMask, [1], keepDims: false), b.IntScalar(1)), DType.I32);   // [B]
        var total = b.Cast(b.Squeeze(b.Shape(attentionMask, 1, 2), 0), DType.I32);                                // []
        return (seqLens, total);
    }

    public static (Value Output, Value PresentKey, Value PresentValue) Build(
        GraphBuilder b, int layer, Value x, GqaContext ctx, Value pastKey, Value pastValue)
    {
        using var _ = b.Scope("attn");
        var c = ctx.Parts.Config;
        var layout = WeightLayout.Layer(c, layer);
        Value Project(string name, Value input) => Projection.Build(b, ctx.Parts.Linear, ctx.Parts.Weights, layout, name, input);
        var q = Project("q_proj", x);                                                            // [B,T,H·D]
        var k = Project("k_proj", x);                                                            // [B,T,Hkv·D]
        var v = Project("v_proj", x);
        if (!ctx.FusedRotary)
        {
            q = Rotate(b, q, ctx, c.NumAttentionHeads, "q_rotary");
            k = Rotate(b, k, ctx, c.NumKeyValueHeads, "k_rotary");
        }
        var attrs = new Dictionary<string, Attr>
        {
            ["num_heads"] = c.NumAttentionHeads,
            ["kv_num_heads"] = c.NumKeyValueHeads,
            ["do_rotary"] = ctx.FusedRotary ? 1 : 0,
            ["rotary_interleaved"] = 0,
        };
        Value?[] inputs = ctx.FusedRotary
            ? [q, k, v, pastKey, pastValue, ctx.SeqLensK, ctx.TotalLength, ctx.CosCache, ctx.SinCache]
            : [q, k, v, pastKey, pastValue, ctx.SeqLensK, ctx.TotalLength];
        Dim[] presentShape = [pastKey.Shape![0], c.NumKeyValueHeads, LlamaGraphDims.Total, c.HeadDim];
        var outs = b.OpN("GroupQueryAttention", inputs,
            [(x.Type, [x.Shape![0], x.Shape[1], c.NumAttentionHeads * c.HeadDim]), (x.Type, presentShape), (x.Type, presentShape)],
            attrs, GraphBuilder.MicrosoftDomain);
        return (Project("o_proj", outs[0]), outs[1], outs[2]);
    }

    private static Value Rotate(GraphBuilder b, Value x, GqaContext ctx, int heads, string name) =>
        b.Op("RotaryEmbedding", [x, ctx.PositionIds, ctx.CosCache, ctx.SinCache], x.Type, x.Shape,
            new Dictionary<string, Attr> { ["interleaved"] = 0, ["num_heads"] = heads }, GraphBuilder.MicrosoftDomain, nodeName: name);
}

/// <summary>The total-length dim of present (and of attention_mask in decoders): LlamaGraph.Total is this one (blocks need no reference to Graphs).</summary>
internal static class LlamaGraphDims
{
    public const string Total = "total_sequence_length";
}
