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

/// <summary>Which implementation RMSNorm and rotary use: plain ONNX composites, or the ai.med42 custom ops (libmed42_ort_ops).</summary>
public enum LlamaKernels
{
    /// <summary>Standard ONNX ops only (default; runs on any ONNX Runtime).</summary>
    Onnx,
    /// <summary>ai.med42 RmsNorm / Rotary nodes: float32 only, the session must register libmed42_ort_ops.</summary>
    Native,
}

/// <summary>How self-attention is built.</summary>
public enum AttentionImpl
{
    /// <summary>Standard ONNX ops (AttentionBlock): differentiable, any dtype, any runtime.</summary>
    Plain,
    /// <summary>ONNX Runtime's com.microsoft GroupQueryAttention + fused norms (GqaDecoderStack): inference only, needs past inputs.</summary>
    GroupQuery,
    /// <summary>
    /// ONNX Runtime's com.microsoft MultiHeadAttention with an additive bias from the plain mask (MhaAttentionBlock):
    /// inference without a KV cache, any mask (the scoring graph's shared-context rows), onnx kernels, F32/F16.
    /// </summary>
    MultiHead,
}

public sealed record LlamaGraphOptions
{
    /// <summary>Activations' type: F32 (default), F16 (GPU inference), F64 (finite-difference checks).</summary>
    public DType ComputeType { get; init; } = DType.F32;

    /// <summary>Adds past_key_values.* inputs and present.* outputs (generation).</summary>
    public bool KvCache { get; init; } = true;

    /// <summary>Packed training rows: a segment_ids input replaces attention_mask (block-diagonal causal mask).</summary>
    public bool PackedSegments { get; init; }

    /// <summary>
    /// Scoring rows that share a context: a segment_ids input where segment 1 (the shared context) is visible
    /// to every later token of the row and every other segment (one continuation each) only to itself;
    /// 0 = padding. Positions come from position_ids, so each continuation can restart after the context.
    /// </summary>
    public bool SharedPrefixSegments { get; init; }

    public LlamaHead Head { get; init; } = LlamaHead.Logits;

    /// <summary>
    /// With <see cref="LlamaHead.TargetLogProbs"/>: a score_positions [B,S] input picks the S rows whose
    /// next-token log-probabilities are wanted (targets is then [B,S]); the LM head runs on those rows only.
    /// </summary>
    public bool ScoredPositionsOnly { get; init; }

    /// <summary>The projections' linear (plain, LoRA, int4).</summary>
    public ILinearFactory Linear { get; init; } = PlainLinear.Instance;

    /// <summary>The LM head's linear (plain unless int4 is asked for the head too).</summary>
    public ILinearFactory HeadLinear { get; init; } = PlainLinear.Instance;

    /// <summary>--kernels onnx|native: RMSNorm and rotary as ONNX composites or as ai.med42 custom ops.</summary>
    public LlamaKernels Kernels { get; init; } = LlamaKernels.Onnx;

    /// <summary>Parses a --kernels value ("onnx" or "native").</summary>
    public static LlamaKernels ParseKernels(string text) => text.ToLowerInvariant() switch
    {
        "onnx" => LlamaKernels.Onnx,
        "native" => LlamaKernels.Native,
        _ => throw new Core.Errors.Med42Exception($"--kernels: unknown value '{text}' (expected onnx or native)"),
    };

    /// <summary>Plain ops (default) or GroupQueryAttention (inference export; KvCache, attention_mask, logits head).</summary>
    public AttentionImpl Attention { get; init; } = AttentionImpl.Plain;
}
