// The one declaration of a Llama's weights: ordered (name, shape) pairs under Hugging Face names.
// Loaders, graph builders, LoRA, exporters and tests all consume this list.
// Linear weights are [out, in] (nn.Linear layout); wq/wk rows are in HF's half-rotation order.
namespace Med42.Ort.Llama;

public enum WeightKind { Embedding, Norm, Linear, LmHead }

public sealed record WeightSpec(string Name, long[] Shape, WeightKind Kind, int Layer = -1, string Module = "")
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}

public static class WeightLayout
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    public static readonly string[] AttentionProjections = ["q_proj", "k_proj", "v_proj", "o_proj"];
    public static readonly string[] MlpProjections = ["gate_proj", "up_proj", "down_proj"];
    public static readonly string[] AllProjections = [.. AttentionProjections, .. MlpProjections];

    public static string LayerPrefix(int layer) => $"model.layers.{layer}";
    public static string InputNorm(int layer) => $"{LayerPrefix(layer)}.input_layernorm.weight";
    public static string PostAttentionNorm(int layer) => $"{LayerPrefix(layer)}.post_attention_layernorm.weight";

    /// <summary>"model.layers.3.self_attn.q_proj" or "model.layers.3.mlp.gate_proj" (no ".weight").</summary>
    public static string ProjectionPrefix(int layer, string projection) =>
        AttentionProjections.Contains(projection) ? $"{LayerPrefix(layer)}.self_attn.{projection}"
        : MlpProjections.Contains(projection) ? $"{LayerPrefix(layer)}.mlp.{projection}"
        : throw new ArgumentException($"unknown projection '{projection}' (expected one of {string.Join(", ", AllProjections)})");

    public static string Projection(int layer, string projection) => ProjectionPrefix(layer, projection) + ".weight";

    /// <summary>(in, out) features of a projection.</summary>
    public static (int In, int Out) ProjectionShape(LlamaConfig c, string projection) => projection switch
    {
        "q_proj" => (c.HiddenSize, c.NumAttentionHeads * c.HeadDim),
        "k_proj" or "v_proj" => (c.HiddenSize, c.KvDim),
        "o_proj" => (c.NumAttentionHeads * c.HeadDim, c.HiddenSize),
        "gate_proj" or "up_proj" => (c.HiddenSize, c.IntermediateSize),
        "down_proj" => (c.IntermediateSize, c.HiddenSize),
        _ => throw new ArgumentException($"unknown projection '{projection}'"),
    };

    /// <summary>Every weight of the model, in checkpoint order.</summary>
    public static IReadOnlyList<WeightSpec> For(LlamaConfig c)
    {
        var list = new List<WeightSpec> { new(Embedding, [c.VocabSize, c.HiddenSize], WeightKind.Embedding) };
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            list.Add(new(InputNorm(i), [c.HiddenSize], WeightKind.Norm, i, "input_layernorm"));
            foreach (var p in AllProjections)
            {
                if (p == "gate_proj") list.Add(new(PostAttentionNorm(i), [c.HiddenSize], WeightKind.Norm, i, "post_attention_layernorm"));
                var (fin, fout) = ProjectionShape(c, p);
                list.Add(new(Projection(i, p), [fout, fin], WeightKind.Linear, i, p));
            }
        }
        list.Add(new(FinalNorm, [c.HiddenSize], WeightKind.Norm));
        if (!c.TieWordEmbeddings) list.Add(new(LmHead, [c.VocabSize, c.HiddenSize], WeightKind.LmHead));
        return list;
    }

    /// <summary>The weights of one decoder layer keyed by module ("q_proj", "input_layernorm", …).</summary>
    public static IReadOnlyDictionary<string, WeightSpec> Layer(LlamaConfig c, int layer) =>
        For(c).Where(w => w.Layer == layer).ToDictionary(w => w.Module);

    /// <summary>The weight the LM head multiplies by: lm_head, or the embedding when tied.</summary>
    public static WeightSpec Head(LlamaConfig c) => For(c).First(w => w.Name == (c.TieWordEmbeddings ? Embedding : LmHead));

    public static long ParameterCount(LlamaConfig c) => For(c).Sum(w => w.ElementCount);
}
