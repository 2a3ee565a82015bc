using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

/// <summary>What the decoder graph computes at its top.</summary>
public enum LlamaHead
{
    /// <summary>logits [B,T,V] (generation, training).</summary>
    Logits,
    /// <summary>target_log_probs and target_is_greedy [B,T] for a `targets` input (evaluation scoring).</summary>
    TargetLogProbs,
}

public sealed record LlamaGraphOptions
{
    /// <summary>Activations' type: F32 (default), F16 (GPU inference), F64 (finite-difference checks).</summary>
    public DType ComputeType { get; init; } = DType.F32;

    /// <summary>Adds past_key_values.* inputs and present.* outputs (generation).</summary>
    public bool KvCache { get; init; } = true;

    /// <summary>Packed training rows: a segment_ids input replaces attention_mask (block-diagonal causal mask).</summary>
    public bool PackedSegments { get; init; }

    public LlamaHead Head { get; init; } = LlamaHead.Logits;

    /// <summary>The projections' linear (plain, LoRA, int4).</summary>
    public ILinearFactory Linear { get; init; } = PlainLinear.Instance;

    /// <summary>The LM head's linear (plain unless int4 is asked for the head too).</summary>
    public ILinearFactory HeadLinear { get; init; } = PlainLinear.Instance;
}
