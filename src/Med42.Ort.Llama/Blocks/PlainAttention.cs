// Attention from standard ONNX ops (AttentionBlock) in the plain layer stack (DecoderStack): runs on any
// runtime, in any float type, with either norm kernels, over a KV cache or not, and is differentiable —
// the one strategy every graph builder accepts.
//   Prepare: mask (decoding: causal + padding from attention_mask; otherwise the builder's), rotary (kernels)
//   layers:  AttentionBlock over concat(past, new) when cached
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class PlainAttention : IKvCacheAttention, IDifferentiableAttention
{
    public static readonly PlainAttention Instance = new();

    public string Name => "--attention plain";

    public void Require(Precision precision, INormKernels kernels) { }

    public IKvCacheStack Prepare(GraphBuilder b, DecoderParts parts, Value inputIds, Value attentionMask, Value positionIds) =>
        Stack(b, parts, AttentionMask.CausalWithPadding(b, attentionMask, inputIds), positionIds);

    public IFullSequenceStack Prepare(GraphBuilder b, DecoderParts parts, Value mask, Value positionIds) => Stack(b, parts, mask, positionIds);

    private static PlainStack Stack(GraphBuilder b, DecoderParts parts, Value mask, Value positionIds) =>
        new(new AttentionContext(parts, mask, parts.Kernels.Rotary(b, parts.Config, positionIds, parts.Precision.Compute)));

    private sealed class PlainStack(AttentionContext ctx) : IKvCacheStack, IFullSequenceStack
    {
        public (Value Hidden, IReadOnlyList<KeyValue> Presents) Build(GraphBuilder b, Value x, IReadOnlyList<KeyValue> past) =>
            DecoderStack.Build(b, ctx.Parts, x, (b, i, normed) =>
            {
                var (y, k, v) = AttentionBlock.Build(b, i, normed, ctx, past[i].Key, past[i].Value);
                return (y, new KeyValue(k, v));
            });

        public Value Build(GraphBuilder b, Value x, Value? scorePositions)
        {
            var (hidden, _) = DecoderStack.Build(b, ctx.Parts, x, (b, i, normed) => (AttentionBlock.Build(b, i, normed, ctx, null, null).Output, null));
            if (scorePositions is null) return hidden;
            // Plain layers compute every row; only the LM head is limited to the scored rows.
            using (b.Scope("scored_rows"))
                return RowGather.Along(b, hidden, scorePositions, 1);                                   // [B,S,C]
        }
    }
}
