// Hugging Face config.json / generation_config.json for Llama (transformers LlamaConfig field names).
// Reading is strict: a missing required field or a field of the wrong JSON type is named, rope_scaling
// must be null (only plain RoPE is implemented), model_type must be "llama", and the result passes
// LlamaConfig.Validate. Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/HfConfigJsonTests.cs.
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public static class HfConfigJson
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";

    public static LlamaConfig Read(string path)
    {
        using var doc = JsonFile.Read(path);
        return FromJson(doc.RootElement, path);
    }

    public static LlamaConfig Parse(ReadOnlyMemory<byte> json, string source = "config.json")
    {
        using var doc = JsonFile.Parse(json, source);
        return FromJson(doc.RootElement, source);
    }

    private static LlamaConfig FromJson(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Med42Exception.At(file, "top level", "config must be a JSON object");
        var modelType = OptionalString(root, "model_type", file);
        if (modelType is not null && modelType != "llama")
            throw Med42Exception.At(file, "'model_type'", $"model_type '{modelType}' is not supported (only 'llama')");
        if (root.TryGetProperty("rope_scaling", out var rs) && rs.ValueKind != JsonValueKind.Null)
        {
            var kind = rs.ValueKind == JsonValueKind.Object
                ? (rs.TryGetProperty("rope_type", out var t) || rs.TryGetProperty("type", out t)) && t.ValueKind == JsonValueKind.String ? t.GetString() : "unknown"
                : rs.ValueKind.ToString();
            throw Med42Exception.At(file, "'rope_scaling'", $"rope_scaling of type '{kind}' is unsupported: only plain RoPE is implemented, rope_scaling must be null");
        }
        var act = OptionalString(root, "hidden_act", file);
        if (act is not null && act != "silu")
            throw Med42Exception.At(file, "'hidden_act'", $"hidden_act '{act}' is unsupported (Llama uses 'silu')");
        foreach (var flag in new[] { "attention_bias", "mlp_bias" })
            if (OptionalBool(root, flag, file) == true)
                throw Med42Exception.At(file, $"'{flag}'", $"{flag} = true is unsupported (Llama-2 linears have no bias)");

        var heads = RequiredInt(root, "num_attention_heads", file);
        var config = new LlamaConfig
        {
            HiddenSize = RequiredInt(root, "hidden_size", file),
            IntermediateSize = RequiredInt(root, "intermediate_size", file),
            NumHiddenLayers = RequiredInt(root, "num_hidden_layers", file),
            NumAttentionHeads = heads,
            NumKeyValueHeads = OptionalInt(root, "num_key_value_heads", file) ?? heads,
            VocabSize = RequiredInt(root, "vocab_size", file),
            RmsNormEps = OptionalDouble(root, "rms_norm_eps", file) ?? 1e-6, // transformers' LlamaConfig default
            RopeTheta = OptionalDouble(root, "rope_theta", file) ?? 10000.0,
            MaxPositionEmbeddings = OptionalInt(root, "max_position_embeddings", file) ?? 2048,
            TieWordEmbeddings = OptionalBool(root, "tie_word_embeddings", file) ?? false,
            BosTokenId = OptionalTokenId(root, "bos_token_id", file) ?? 1,
            EosTokenId = OptionalTokenId(root, "eos_token_id", file) ?? 2,
            PadTokenId = OptionalTokenId(root, "pad_token_id", file),
        };
        config.Validate(file);
        var headDim = OptionalInt(root, "head_dim", file);
        if (headDim is not null && headDim != config.HeadDim)
            throw Med42Exception.At(file, "'head_dim'", $"head_dim {headDim} differs from hidden_size / num_attention_heads = {config.HeadDim} (unsupported)");
        return config;
    }

    /// <summary>Writes config.json as transformers' save_pretrained would for a LlamaForCausalLM.</summary>
    public static void Write(string path, LlamaConfig c, DType torchDtype)
    {
        WriteJson(path, w =>
        {
            w.WriteStartArray("architectures");
            w.WriteStringValue("LlamaForCausalLM");
            w.WriteEndArray();
            w.WriteBoolean("attention_bias", false);
            w.WriteNumber("bos_token_id", c.BosTokenId);
            w.WriteNumber("eos_token_id", c.EosTokenId);
            w.WriteString("hidden_act", "silu");
            w.WriteNumber("hidden_size", c.HiddenSize);
            w.WriteNumber("initializer_range", 0.02);
            w.WriteNumber("intermediate_size", c.IntermediateSize);
            w.WriteNumber("max_position_embeddings", c.MaxPositionEmbeddings);
            w.WriteString("model_type", "llama");
            w.WriteNumber("num_attention_heads", c.NumAttentionHeads);
            w.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
            w.WriteNumber("num_key_value_heads", c.NumKeyValueHeads);
            if (c.PadTokenId is { } pad) w.WriteNumber("pad_token_id", pad);
            w.WriteNumber("pretraining_tp", 1);
            w.WriteNumber("rms_norm_eps", c.RmsNormEps);
            w.WriteNull("rope_scaling");
            w.WriteNumber("rope_theta", c.RopeTheta);
            w.WriteBoolean("tie_word_embeddings", c.TieWordEmbeddings);
            w.WriteString("torch_dtype", TorchDtype(torchDtype));
            w.WriteBoolean("use_cache", true);
            w.WriteNumber("vocab_size", c.VocabSize);
        });
    }

    public static void WriteGenerationConfig(string path, LlamaConfig c) => WriteJson(path, w =>
    {
        w.WriteNumber("bos_token_id", c.BosTokenId);
        w.WriteNumber("eos_token_id", c.EosTokenId);
        if (c.PadTokenId is { } pad) w.WriteNumber("pad_token_id", pad);
    });

    public static string TorchDtype(DType t) => t switch
    {
        DType.F32 => "float32",
        DType.F16 => "float16",
        DType.BF16 => "bfloat16",
        _ => throw new ArgumentException($"{t} is not a checkpoint weight dtype (F32, F16, BF16)"),
    };

    private static void WriteJson(string path, Action<Utf8JsonWriter> body) => AtomicFile.Write(path, fs =>
    {
        using (var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        fs.WriteByte((byte)'\n');
    });

    private static bool TryGet(JsonElement root, string field, out JsonElement value) =>
        root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;

    private static int RequiredInt(JsonElement root, string field, string file) =>
        OptionalInt(root, field, file) ?? throw Med42Exception.At(file, $"'{field}'", $"required field '{field}' is missing");

    private static int? OptionalInt(JsonElement root, string field, string file)
    {
        if (!TryGet(root, field, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
            throw Med42Exception.At(file, $"'{field}'", $"'{field}' must be an integer, got {Describe(v)}");
        return i;
    }

    /// <summary>A token id; a list (as some configs give eos_token_id) takes its first entry.</summary>
    private static int? OptionalTokenId(JsonElement root, string field, string file)
    {
        if (TryGet(root, field, out var v) && v.ValueKind == JsonValueKind.Array)
        {
            var first = v.EnumerateArray().FirstOrDefault();
            if (first.ValueKind != JsonValueKind.Number || !first.TryGetInt32(out var id))
                throw Med42Exception.At(file, $"'{field}'", $"'{field}' must be an integer or a non-empty list of integers, got {Describe(v)}");
            return id;
        }
        return OptionalInt(root, field, file);
    }

    private static double? OptionalDouble(JsonElement root, string field, string file)
    {
        if (!TryGet(root, field, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Med42Exception.At(file, $"'{field}'", $"'{field}' must be a number, got {Describe(v)}");
        return v.GetDouble();
    }

    private static bool? OptionalBool(JsonElement root, string field, string file)
    {
        if (!TryGet(root, field, out var v)) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw Med42Exception.At(file, $"'{field}'", $"'{field}' must be true or false, got {Describe(v)}");
        return v.GetBoolean();
    }

    private static string? OptionalString(JsonElement root, string field, string file)
    {
        if (!TryGet(root, field, out var v)) return null;
        if (v.ValueKind != JsonValueKind.String) throw Med42Exception.At(file, $"'{field}'", $"'{field}' must be a string, got {Describe(v)}");
        return v.GetString();
    }

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"string \"{v.GetString()}\"",
        JsonValueKind.Number => $"number {v.GetRawText()}",
        _ => v.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
