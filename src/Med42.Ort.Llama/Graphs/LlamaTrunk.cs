// What the three graph builders share: the choices every decoder graph makes (config, precision, norm
// kernels, linears), checked against the attention strategy once, when a builder is made, and the blocks at
// both ends of the layer stack:
//   input_ids ─Gather(embed_tokens)─ x [B,T,C] ─(attention strategy's stack)─ hidden ─lm_head─Cast─ logits [B,T,V]
// Logits are float32 (float64 in float64 graphs) whatever the compute type, as GenAI and the scorers read them.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

internal sealed class LlamaTrunk
{
    private readonly ILinearFactory _headLinear;

    public LlamaTrunk(LlamaConfig config, IAttentionStrategy attention, Precision? precision, INormKernels? kernels,
        ILinearFactory? linear, ILinearFactory? headLinear)
    {
        Config = config;
        Precision = precision ?? Precision.F32;
        Kernels = kernels ?? OnnxKernels.Instance;
        Linear = linear ?? PlainLinear.Instance;
        _headLinear = headLinear ?? PlainLinear.Instance;
        Kernels.Require(Precision);
        attention.Require(Precision, Kernels);
    }

    public LlamaConfig Config { get; }
    public Precision Precision { get; }
    public INormKernels Kernels { get; }
    public ILinearFactory Linear { get; }

    /// <summary>Weights read lazily from a checkpoint, stored as the precision's storage type (the convenience overloads' binder).</summary>
    public IWeightBinder Bind(ITensorStore store) => new CheckpointWeightBinder(store, Precision.Storage, Precision.Compute);

    public DecoderParts Parts(IWeightBinder weights) => new(Config, Precision, Linear, weights, Kernels);

    public static Value Embed(GraphBuilder b, DecoderParts p, Value inputIds)
    {
        using var _ = b.Scope("embed_tokens");
        return b.Gather(p.Weights.Get(b, WeightLayout.For(p.Config)[0]), inputIds);                   // [B,T,C]
    }

    public Value Logits(GraphBuilder b, DecoderParts p, Value hidden)
    {
        Value logits;
        using (b.Scope("lm_head"))
            logits = _headLinear.Build(b, hidden, WeightLayout.Head(p.Config), p.Weights);               // [B,T,V]
        return b.Cast(logits, Precision.Logits);
    }

    /// <summary>input_ids, then the row layout's second input, then position_ids: [B,T] int64 each (GenAI's order).</summary>
    public static (Value InputIds, Value Second, Value PositionIds) Inputs(GraphBuilder b, string second, string secondLength)
    {
        var inputIds = b.Input("input_ids", DType.I64, LlamaGraph.Batch, LlamaGraph.Sequence);
        var other = b.Input(second, DType.I64, LlamaGraph.Batch, secondLength);
        return (inputIds, other, b.Input("position_ids", DType.I64, LlamaGraph.Batch, LlamaGraph.Sequence));
    }
}
