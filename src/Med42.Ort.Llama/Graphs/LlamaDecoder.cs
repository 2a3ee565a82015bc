// Builds the inference decoder graph of a checkpoint: weights become lazily streamed initializers.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public static class LlamaDecoder
{
    /// <summary>
    /// The decoder graph over <paramref name="weights"/>, with weights stored as <paramref name="storageType"/>
    /// (F32 or F16; F64 for reference checks) and computed in <paramref name="options"/>.ComputeType.
    /// </summary>
    public static IrGraph Build(LlamaConfig config, ITensorStore weights, DType storageType, LlamaGraphOptions? options = null)
    {
        options ??= new LlamaGraphOptions();
        var b = new GraphBuilder("llama_decoder");
        LlamaGraph.Build(b, config, new CheckpointWeightBinder(weights, storageType, options.ComputeType), options);
        return b.Graph;
    }
}
