// The generation decoder: a KV cache per layer and the names ONNX Runtime GenAI expects (used by the
// generator, the naive scorer, `med42 export` / `export-onnx`).
//   input_ids [B,T], attention_mask [B,S], position_ids [B,T], past_key_values.{i}.key|value [B,Hkv,P,D]
//     ─embed─ x ─(attention's cached stack: plain layers over concat(past, new), or GQA)─ hidden ─lm_head─
//     → logits [B,T,V], present.{i}.key|value [B,Hkv,S,D]     (S = P + T)
// Attention: plain or GroupQueryAttention (IKvCacheAttention). Test: tests/Med42.Ort.Runtime.Tests/DecoderParityTests.cs.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public sealed class DecodingGraphBuilder
{
    private readonly LlamaTrunk _trunk;
    private readonly IKvCacheAttention _attention;

    /// <param name="precision">F32 (default), F16, or F64; the KV cache is in its compute type.</param>
    /// <param name="attention">PlainAttention (default) or GroupQueryAttention.</param>
    /// <param name="kernels">RMSNorm/rotary kernels (ONNX composites by default).</param>
    /// <param name="linear">The projections' linear (plain, LoRA, int4).</param>
    /// <param name="headLinear">The LM head's linear (plain unless int4 is asked for the head too).</param>
    /// <exception cref="Core.Errors.Med42Exception">The attention or kernels cannot run with the other choices.</exception>
    public DecodingGraphBuilder(LlamaConfig config, Precision? precision = null, IKvCacheAttention? attention = null,
        INormKernels? kernels = null, ILinearFactory? linear = null, ILinearFactory? headLinear = null)
    {
        _attention = attention ?? PlainAttention.Instance;
        _trunk = new LlamaTrunk(config, _attention, precision, kernels, linear, headLinear);
    }

    /// <summary>The decoder over <paramref name="weights"/>, stored as the precision's storage type (streamed when saved).</summary>
    public IrGraph Build(ITensorStore weights)
    {
        var b = new GraphBuilder("llama_decoder");
        Build(b, _trunk.Bind(weights));
        return b.Graph;
    }

    /// <summary>Builds the decoder into <paramref name="b"/> and marks its outputs.</summary>
    public void Build(GraphBuilder b, IWeightBinder weights)
    {
        var c = _trunk.Config;
        var type = _trunk.Precision.Compute;
        var (inputIds, attentionMask, positionIds) = LlamaTrunk.Inputs(b, "attention_mask", LlamaGraph.Total);
        var past = new KeyValue[c.NumHiddenLayers];
        for (var i = 0; i < past.Length; i++)
            past[i] = new KeyValue(b.Input(LlamaGraph.PastKey(i), type, LlamaGraph.Batch, c.NumKeyValueHeads, LlamaGraph.Past, c.HeadDim),
                                   b.Input(LlamaGraph.PastValue(i), type, LlamaGraph.Batch, c.NumKeyValueHeads, LlamaGraph.Past, c.HeadDim));

        using var _ = b.Scope("model");
        var parts = _trunk.Parts(weights);
        var stack = _attention.Prepare(b, parts, inputIds, attentionMask, positionIds);
        var (hidden, presents) = stack.Build(b, LlamaTrunk.Embed(b, parts, inputIds), past);
        b.Output(_trunk.Logits(b, parts, hidden), "logits");
        for (var i = 0; i < presents.Count; i++)
        {
            b.Output(presents[i].Key, LlamaGraph.PresentKey(i));
            b.Output(presents[i].Value, LlamaGraph.PresentValue(i));
        }
    }
}
