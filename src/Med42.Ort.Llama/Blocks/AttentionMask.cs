// Which (query, key) pairs are masked, as a boolean tensor broadcastable to the scores [B, Hkv, G, T, S].
// Causal: key s is masked for query t when s > P + t (P = S − T past tokens). Padding: attention_mask == 0.
// Packed training sequences use segment ids instead: keys of another document (or padding) are masked;
// scoring rows mark one segment as a context shared by the continuations after it.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class AttentionMask
{
    /// <summary>Causal + padding mask from attention_mask [B, S] (int64, 1 = attend) and input_ids [B, T]: [B,1,1,T,S] bool.</summary>
    public static Value CausalWithPadding(GraphBuilder b, Value attentionMask, Value inputIds)
    {
        using var _ = b.Scope("attn_mask");
        var causal = Causal(b, b.Shape(inputIds, 1, 2), b.Shape(attentionMask, 1, 2), inputIds.Shape![1], attentionMask.Shape![1]);
        var pad = b.Equal(attentionMask, b.IntScalar(0));                                     // [B, S]
        var pad5 = b.Unsqueeze(pad, 1, 2, 3);                                                 // [B,1,1,1,S]
        return b.Or(causal, pad5);                                                            // [B,1,1,T,S]
    }

    /// <summary>
    /// Block-diagonal causal mask for packed rows from segment ids [B, T] (0 = padding): [B,1,1,T,T] bool.
    /// With <paramref name="sharedSegment"/>, keys of that segment stay visible to every segment (a shared
    /// context followed by its continuations); causality still hides it from nothing before it.
    /// </summary>
    public static Value Packed(GraphBuilder b, Value segmentIds, long? sharedSegment = null)
    {
        using var _ = b.Scope("attn_mask");
        var t = b.Shape(segmentIds, 1, 2);
        var causal = Causal(b, t, t, segmentIds.Shape![1], segmentIds.Shape![1]);          // [T,T]
        var q = b.Unsqueeze(segmentIds, 2);                                                  // [B,T,1]
        var k = b.Unsqueeze(segmentIds, 1);                                                  // [B,1,T]
        var otherDoc = b.Not(b.Equal(q, k));                                                 // [B,T,T]
        if (sharedSegment is long shared)
            otherDoc = b.And(otherDoc, b.Not(b.Equal(k, b.IntScalar(shared))));            // shared keys are no other document
        var padKey = b.Equal(k, b.IntScalar(0));                                             // [B,1,T]
        var masked = b.Or(b.Or(otherDoc, padKey), causal);                                   // [B,T,T]
        return b.Unsqueeze(masked, 1, 2);                                                    // [B,1,1,T,T]
    }

    // [T, S]: s > (S − T) + t.
    private static Value Causal(GraphBuilder b, Value t1, Value s1, Dim tDim, Dim sDim)
    {
        var t = b.Squeeze(t1, 0);
        var s = b.Squeeze(s1, 0);
        var zero = b.IntScalar(0);
        var one = b.IntScalar(1);
        var queryPos = b.Add(b.Range(zero, t, one, tDim), b.Sub(s, t));                     // [T]: P + t
        var keyPos = b.Range(zero, s, one, sDim);                                             // [S]
        return b.Greater(b.Unsqueeze(keyPos, 0), b.Unsqueeze(queryPos, 1));                  // [T, S]
    }
}
