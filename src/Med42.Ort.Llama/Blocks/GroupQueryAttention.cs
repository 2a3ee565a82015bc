// Attention through ONNX Runtime's com.microsoft GroupQueryAttention (GqaAttentionBlock) in GenAI's layer
// stack of fused norms (GqaDecoderStack): the fastest CPU decoder, for inference over a KV cache only.
//   Prepare: seqlens_k and total_sequence_length from attention_mask, cos/sin caches (RotaryCache)
//   layers:  GqaDecoderStack (its own rotary and RMSNorms: SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization)
// No gradient rule, no float64 kernel, and no ai.med42 kernels (the fused norms and rotary replace them).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class GroupQueryAttention : IKvCacheAttention
{
    public static readonly GroupQueryAttention Instance = new();

    public string Name => "--attention gqa";

    public void Require(Precision precision, INormKernels kernels)
    {
        if (kernels is not OnnxKernels)
            throw new Med42Exception($"{Name} with {kernels.Name}: GroupQueryAttention decoders build ONNX Runtime's fused norms and rotary; use --kernels onnx or --attention plain");
        if (precision.Compute == DType.F64)
            throw new Med42Exception($"{Name} with {precision.Compute} compute: ONNX Runtime's GroupQueryAttention has no float64 kernel; use --attention plain");
    }

    public IKvCacheStack Prepare(GraphBuilder b, DecoderParts parts, Value inputIds, Value attentionMask, Value positionIds)
    {
        var (seqLens, total) = GqaAttentionBlock.Lengths(b, attentionMask);
        var (cos, sin) = RotaryCache.Build(b, parts.Config, parts.Precision.Compute);
        return new GqaStack(new GqaContext(parts, seqLens, total, positionIds, cos, sin, GqaAttentionBlock.CanFuseRotary(parts.Config)));
    }

    private sealed class GqaStack(GqaContext ctx) : IKvCacheStack
    {
        public (Value Hidden, IReadOnlyList<KeyValue> Presents) Build(GraphBuilder b, Value x, IReadOnlyList<KeyValue> past) =>
            GqaDecoderStack.Build(b, x, ctx, past);
    }
}
