// Attention through ONNX Runtime's com.microsoft MultiHeadAttention with an additive bias (MhaAttentionBlock),
// for full-sequence inference under any mask (the scoring graph's shared-context rows). With score positions
// the last layer computes only those rows' queries, attention and MLP (every row still supplies keys and values).
//   Prepare: rotary (ONNX composite: token-major, re-gathered at the scored rows), bias [B,1,T,T] from the mask
//   layers:  MhaAttentionBlock in the plain layer stack (DecoderStack)
// No KV cache, no gradient rule, float32/float16 only (ORT's kernels), ONNX norm kernels only.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class MultiHeadAttention : IFullSequenceAttention
{
    public static readonly MultiHeadAttention Instance = new();

    public string Name => "--attention mha";

    public void Require(Precision precision, INormKernels kernels)
    {
        if (kernels is not OnnxKernels)
            throw new Med42Exception($"{Name} with {kernels.Name}: MultiHeadAttention rotates with the ONNX composite rotary (token-major, gathered at the scored rows); use --kernels onnx or --attention plain");
        if (precision.Compute is not (DType.F32 or DType.F16))
            throw new Med42Exception($"{Name} with {precision.Compute} compute: ONNX Runtime's MultiHeadAttention runs float32 or float16; use --attention plain");
    }

    public IFullSequenceStack Prepare(GraphBuilder b, DecoderParts parts, Value mask, Value positionIds)
    {
        var type = parts.Precision.Compute;
        var rotary = RotaryBlock.Create(b, parts.Config, positionIds, type);
        return new MhaStack(new MhaContext(parts, rotary, MhaAttentionBlock.Bias(b, mask, type)), positionIds);
    }

    private sealed class MhaStack(MhaContext ctx, Value positionIds) : IFullSequenceStack
    {
        public Value Build(GraphBuilder b, Value x, Value? scorePositions)
        {
            ScoredRows? rows = null;
            if (scorePositions is not null)
                using (b.Scope("scored_rows"))
                    rows = new ScoredRows(scorePositions, ctx.Rotary.At(b, RowGather.Along(b, positionIds, scorePositions, 1)),
                        RowGather.Along(b, ctx.Bias, scorePositions, 2));
            var last = ctx.Parts.Config.NumHiddenLayers - 1;
            LayerAttention attend = (b, i, normed) => (MhaAttentionBlock.Build(b, i, normed, ctx, i == last ? rows : null), null);
            return DecoderStack.Build(b, ctx.Parts, x, attend, rows?.Positions).Hidden;
        }
    }
}
