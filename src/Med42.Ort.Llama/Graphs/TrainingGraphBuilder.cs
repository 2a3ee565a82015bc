// The forward of a training graph: packed rows (several documents per row, each attending to itself only)
// up to the logits; the loss, its logits gradient and the reverse pass are Training's (TrainingArtifacts).
//   input_ids, segment_ids, position_ids [B,T] (segment 0 = padding; AttentionMask.Packed: block-diagonal causal)
//     ─embed─ x ─(differentiable stack)─ hidden ─lm_head─ logits [B,T,V]   (an internal value named "logits")
// Attention: differentiable only (IDifferentiableAttention: plain). Checkpointing groups by LlamaGraph.DecoderLayerOf.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public sealed class TrainingGraphBuilder
{
    private readonly LlamaTrunk _trunk;
    private readonly IDifferentiableAttention _attention;

    /// <param name="precision">F32 (default) or F64 (finite-difference checks); the binder must give weights in its compute type.</param>
    /// <param name="kernels">ONNX composites (default) or the ai.med42 ops (float32 only; gradients RmsNormGrad / RotaryGrad).</param>
    /// <param name="headLinear">The LM head's linear (TransBLinear reads a frozen head in place).</param>
    /// <exception cref="Core.Errors.Med42Exception">The kernels cannot run at this precision.</exception>
    public TrainingGraphBuilder(LlamaConfig config, Precision? precision = null, IDifferentiableAttention? attention = null,
        INormKernels? kernels = null, ILinearFactory? linear = null, ILinearFactory? headLinear = null)
    {
        _attention = attention ?? PlainAttention.Instance;
        _trunk = new LlamaTrunk(config, _attention, precision, kernels, linear, headLinear);
    }

    /// <summary>Builds the forward into <paramref name="b"/>; returns the logits [B,T,V] (not a graph output).</summary>
    public Value Build(GraphBuilder b, IWeightBinder weights)
    {
        var (inputIds, segmentIds, positionIds) = LlamaTrunk.Inputs(b, "segment_ids", LlamaGraph.Sequence);
        using var _ = b.Scope("model");
        var parts = _trunk.Parts(weights);
        var stack = _attention.Prepare(b, parts, AttentionMask.Packed(b, segmentIds), positionIds);
        var logits = _trunk.Logits(b, parts, stack.Build(b, LlamaTrunk.Embed(b, parts, inputIds), null));
        return b.NameValue(logits, "logits");
    }
}
