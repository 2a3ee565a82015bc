// The tiny configs, weights and hash the graph-bytes pins share (Llama, Training and Export tests link this
// file): weights from integer arithmetic only, so a pinned hash depends on nothing but the graph builder.
using System.Security.Cryptography;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;

namespace Med42.Ort.Tests.Shared.Llama;

public static class PinnedGraphs
{
    /// <summary>D = 8 (GroupQueryAttention rotates through a RotaryEmbedding node), Hkv &lt; H, untied head.</summary>
    public static readonly LlamaConfig Small = new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 48, MaxPositionEmbeddings = 64,
    };

    /// <summary>D = 16 (GroupQueryAttention's fused rotary), tied embeddings.</summary>
    public static readonly LlamaConfig Tied = new()
    {
        HiddenSize = 32, IntermediateSize = 48, NumHiddenLayers = 2, NumAttentionHeads = 2, NumKeyValueHeads = 1,
        VocabSize = 40, MaxPositionEmbeddings = 32, TieWordEmbeddings = true,
    };

    public static readonly LoraConfig Lora = new() { Rank = 4, Alpha = 8, Targets = ["q_proj", "v_proj", "down_proj"] };

    /// <summary>
    /// Every tensor of the layout (plus the LoRA adapter's) from integer arithmetic only, so the bytes depend on
    /// nothing but the builder (no RNG, no libm).
    /// </summary>
    public static InMemoryTensorStore Weights(LlamaConfig c)
    {
        var store = new InMemoryTensorStore("<pinned weights>");
        var k = 0;
        foreach (var spec in WeightLayout.For(c).Concat(LoraWeights.For(c, Lora)))
        {
            var values = new float[spec.ElementCount];
            for (var i = 0; i < values.Length; i++) values[i] = (int)((i * 2654435761L + k * 40503L) % 1001 - 500) / 25000f;
            store.AddFloat(spec.Name, spec.Shape, values);
            k++;
        }
        return store;
    }

    public static string Hash(IrGraph graph) => Convert.ToHexString(SHA256.HashData(OnnxExport.ToBytes(graph)))[..16];
}
