// The named shapes against their published sources: llama2.c's README model table (dim, n_layers, n_heads,
// n_kv_heads, max context) with its model.py FFN rule (hidden = 32·⌈(2·4·dim/3) / 32⌉, classifier shared with the
// embedding), TinyLlama-1.1B's config.json, and the parameter counts the models are named after.
using System.Text;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Llama.Tests;

public class LlamaShapesTests
{
    [Theory]
    [InlineData("15M", 288, 6, 6, 6, 256, 15)]
    [InlineData("110M", 768, 12, 12, 12, 1024, 110)]
    public void StoriesShapesAreLlama2cs(string name, int dim, int layers, int heads, int kvHeads, int context, int millions)
    {
        var c = name == "15M" ? LlamaShapes.Stories15M : LlamaShapes.Stories110M;
        Assert.Equal((dim, layers, heads, kvHeads, context), (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.MaxPositionEmbeddings));
        const int multipleOf = 32;
        Assert.Equal(multipleOf * ((2 * 4 * dim / 3 + multipleOf - 1) / multipleOf), c.IntermediateSize);
        Assert.Equal(32000, c.VocabSize);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal(millions, (int)Math.Round(WeightLayout.ParameterCount(c) / 1e6));
        c.Validate();
    }

    [Fact]
    public void TinyLlamaIsItsPublishedConfig()
    {
        // TinyLlama/TinyLlama-1.1B-Chat-v1.0's config.json.
        const string json = """
            {
              "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2,
              "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
              "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22,
              "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0,
              "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000
            }
            """;
        Assert.Equal(HfConfigJson.Parse(Encoding.UTF8.GetBytes(json)), LlamaShapes.TinyLlama1_1B);
        Assert.Equal(1.1, Math.Round(WeightLayout.ParameterCount(LlamaShapes.TinyLlama1_1B) / 1e9, 1));
    }

    [Fact]
    public void Llama2_7BHasSevenBillionParameters()
    {
        // Meta's paper rounds it to 6.7B; the untied lm_head counts (32000 × 4096).
        Assert.Equal(6.7, Math.Round(WeightLayout.ParameterCount(LlamaShapes.Llama2_7B) / 1e9, 1));
        LlamaShapes.Llama2_7B.Validate();
    }

    [Fact]
    public void TheScoringVariantChangesOnlyContextAndLmHead()
    {
        var scoring = LlamaShapes.ForScoring(LlamaShapes.Stories15M);
        Assert.Equal(LlamaShapes.Stories15M with { MaxPositionEmbeddings = 1024, TieWordEmbeddings = false }, scoring);
        Assert.Equal(WeightLayout.ParameterCount(LlamaShapes.Stories15M) + 32000L * 288, WeightLayout.ParameterCount(scoring));
    }
}
