// The attention choice as the CLI and export options name it (--attention plain|gqa|mha), and the strategy
// each graph purpose builds for it. A kind a purpose cannot use is refused with the purpose's alternatives.
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public enum AttentionKind
{
    /// <summary>Standard ONNX ops (PlainAttention): any graph, any float type, any runtime, differentiable.</summary>
    Plain,
    /// <summary>com.microsoft GroupQueryAttention + fused norms (GroupQueryAttention): decoding over a KV cache only.</summary>
    Gqa,
    /// <summary>com.microsoft MultiHeadAttention with an additive mask bias (MultiHeadAttention): full-sequence scoring only.</summary>
    Mha,
}

public static class AttentionKinds
{
    /// <summary>The strategy of a decoding (KV cache) graph: plain or gqa.</summary>
    public static IKvCacheAttention ForDecoding(this AttentionKind kind) => kind switch
    {
        AttentionKind.Plain => PlainAttention.Instance,
        AttentionKind.Gqa => GroupQueryAttention.Instance,
        _ => throw new Med42Exception($"--attention {kind.ToString().ToLowerInvariant()}: decoders keep a KV cache, which only plain and gqa attention support"),
    };

    /// <summary>The strategy of a full-sequence (scoring) graph: plain or mha.</summary>
    public static IFullSequenceAttention ForScoring(this AttentionKind kind) => kind switch
    {
        AttentionKind.Plain => PlainAttention.Instance,
        AttentionKind.Mha => MultiHeadAttention.Instance,
        _ => throw new Med42Exception($"--attention {kind.ToString().ToLowerInvariant()}: scoring graphs run whole rows without a KV cache, which only plain and mha attention support"),
    };
}
