// config.json reading and writing. The valid example is meta-llama/Llama-2-7b-hf's published config.json.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class HfConfigJsonTests
{
    private const string Llama2_7B = """
        {
          "_name_or_path": "meta-llama/Llama-2-7b-hf",
          "architectures": ["LlamaForCausalLM"],
          "bos_token_id": 1,
          "eos_token_id": 2,
          "hidden_act": "silu",
          "hidden_size": 4096,
          "initializer_range": 0.02,
          "intermediate_size": 11008,
          "max_position_embeddings": 4096,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 32,
          "num_key_value_heads": 32,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_scaling": null,
          "tie_word_embeddings": false,
          "torch_dtype": "float16",
          "transformers_version": "4.31.0.dev0",
          "use_cache": true,
          "vocab_size": 32000
        }
        """;

    private static LlamaConfig Parse(string json) => HfConfigJson.Parse(Encoding.UTF8.GetBytes(json), "config.json");

    private static Med42Exception Rejects(string json) => Assert.Throws<Med42Exception>(() => Parse(json));

    [Fact]
    public void ReadsLlama2_7B()
    {
        var c = Parse(Llama2_7B);
        Assert.Equal(LlamaShapes.Llama2_7B with { RmsNormEps = 1e-5 }, c);
        Assert.Null(c.PadTokenId);
    }

    [Fact]
    public void KvHeadsDefaultToAttentionHeads() =>
        Assert.Equal(32, Parse(Llama2_7B.Replace("\"num_key_value_heads\": 32,", "")).NumKeyValueHeads);

    [Fact]
    public void MissingFieldIsNamed()
    {
        var ex = Rejects(Llama2_7B.Replace("\"hidden_size\": 4096,", ""));
        Assert.Equal("config.json: 'hidden_size': required field 'hidden_size' is missing", ex.Message);
    }

    [Fact]
    public void WrongTypeIsNamed()
    {
        var ex = Rejects(Llama2_7B.Replace("\"vocab_size\": 32000", "\"vocab_size\": \"32000\""));
        Assert.Equal("config.json: 'vocab_size': 'vocab_size' must be an integer, got string \"32000\"", ex.Message);
    }

    [Fact]
    public void InconsistentHeadsAreRejected()
    {
        var ex = Rejects(Llama2_7B.Replace("\"num_key_value_heads\": 32", "\"num_key_value_heads\": 3"));
        Assert.Equal("config.json: 'num_attention_heads' 32 is not divisible by num_key_value_heads 3", ex.Message);
    }

    [Fact]
    public void RopeScalingIsRejectedNamingItsType()
    {
        var ex = Rejects(Llama2_7B.Replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"));
        Assert.Equal("config.json: 'rope_scaling': rope_scaling of type 'linear' is unsupported: only plain RoPE is implemented, rope_scaling must be null", ex.Message);
    }

    [Fact]
    public void OtherModelTypesAreRejected()
    {
        var ex = Rejects(Llama2_7B.Replace("\"model_type\": \"llama\"", "\"model_type\": \"mistral\""));
        Assert.Equal("config.json: 'model_type': model_type 'mistral' is not supported (only 'llama')", ex.Message);
    }

    [Fact]
    public void InvalidJsonGivesTheByteOffset()
    {
        // "hidden_size": 4096 -> "hidden_size": 40x96; the parser stops at the 'x'.
        var json = Llama2_7B.Replace("4096,\n  \"initializer", "40x96,\n  \"initializer");
        var ex = Rejects(json);
        var offset = Encoding.UTF8.GetByteCount(json[..json.IndexOf("40x96", StringComparison.Ordinal)]) + 2;
        var line = json[..offset].Count(ch => ch == '\n') + 1;
        Assert.StartsWith($"config.json: byte {offset} (line {line}): invalid JSON", ex.Message);
    }

    [Fact]
    public void NonUtf8IsRejectedWithTheByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes(Llama2_7B);
        var at = Array.IndexOf(bytes, (byte)'_'); // inside "_name_or_path"
        bytes[at] = 0xC3; // a lead byte followed by an ASCII letter: invalid sequence
        var ex = Assert.Throws<Med42Exception>(() => HfConfigJson.Parse(bytes, "config.json"));
        Assert.StartsWith($"config.json: line 2: invalid UTF-8 at byte {at} ", ex.Message); // "_name_or_path" is on the second line
    }

    [Fact]
    public void WriteThenReadGivesTheSameConfig()
    {
        using var dir = new TempDir();
        var c = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 172, NumHiddenLayers = 5, NumAttentionHeads = 8, NumKeyValueHeads = 4,
            VocabSize = 512, MaxPositionEmbeddings = 512, TieWordEmbeddings = true, RmsNormEps = 1e-5, RopeTheta = 500000, PadTokenId = 0,
        };
        HfConfigJson.Write(dir.File("config.json"), c, DType.BF16);
        HfConfigJson.WriteGenerationConfig(dir.File("generation_config.json"), c);
        Assert.Equal(c, HfConfigJson.Read(dir.File("config.json")));
        var text = File.ReadAllText(dir.File("config.json"));
        Assert.Contains("\"torch_dtype\": \"bfloat16\"", text);
        Assert.Contains("\"LlamaForCausalLM\"", text);
        Assert.Contains("\"model_type\": \"llama\"", text);
        Assert.Contains("\"eos_token_id\": 2", File.ReadAllText(dir.File("generation_config.json")));
    }
}
