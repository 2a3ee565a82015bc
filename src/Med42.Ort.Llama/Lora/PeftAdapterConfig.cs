// Strict reading of a PEFT adapter_config.json (peft LoraConfig, saved by save_pretrained): every key is
// known, typed and in range, or the file is refused naming the key. Keys that only steer how an adapter
// was initialised (init_lora_weights, loftq_config, eva_config, …) are accepted whatever they hold; keys
// that change what the tensors mean (use_dora, rank_pattern, layers_to_transform, …) are accepted only
// at their neutral value, since this reader applies plain W + (lora_alpha / r)·B·A to every listed layer.
// Test: tests/Med42.Ort.Export.Tests/Adapters/PeftAdapterConfigTests.cs.
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Llama.Lora;

public static class PeftAdapterConfig
{
    private const int MaxRank = LoraConfig.MaxRank;

    // Keys whose value changes the adapter's meaning, each with a test for its neutral value.
    private static readonly Dictionary<string, Func<JsonElement, bool>> Unimplemented = new(StringComparer.Ordinal)
    {
        ["use_dora"] = IsFalse, ["use_rslora"] = IsFalse, ["lora_bias"] = IsFalse, ["use_qalora"] = IsFalse,
        ["fan_in_fan_out"] = IsFalse, ["ensure_weight_tying"] = IsFalse,
        ["rank_pattern"] = IsEmpty, ["alpha_pattern"] = IsEmpty, ["layers_to_transform"] = IsEmpty,
        ["layers_pattern"] = IsEmpty, ["layer_replication"] = IsEmpty, ["modules_to_save"] = IsEmpty,
        ["exclude_modules"] = IsEmpty, ["trainable_token_indices"] = IsEmpty, ["target_parameters"] = IsEmpty,
        ["megatron_config"] = IsEmpty, ["alora_invocation_tokens"] = IsEmpty, ["arrow_config"] = IsEmpty,
        ["bias"] = v => v.ValueKind == JsonValueKind.String && v.GetString() == "none",
    };

    // Keys that describe provenance or initialisation only: any value is fine.
    private static readonly HashSet<string> Informational = new(StringComparer.Ordinal)
    {
        "init_lora_weights", "loftq_config", "eva_config", "corda_config", "megatron_core", "runtime_config",
        "auto_mapping", "revision", "inference_mode", "qalora_group_size", "peft_version",
    };

    private static readonly HashSet<string> Read = new(StringComparer.Ordinal)
    {
        "peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "target_modules", "base_model_name_or_path",
    };

    /// <summary>Parses adapter_config.json into (LoRA config, base_model_name_or_path).</summary>
    public static (LoraConfig Config, string BaseModel) Load(string path)
    {
        using var doc = JsonFile.Read(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw Med42Exception.At(path, "top level", $"adapter_config.json must be a JSON object, got {root.ValueKind}");
        foreach (var p in root.EnumerateObject()) CheckKey(path, p);

        var peftType = OptionalString(root, "peft_type", path) ?? "LORA";
        if (peftType != "LORA") throw Med42Exception.At(path, "key 'peft_type'", $"'{peftType}' is not a LoRA adapter (expected LORA)");
        var taskType = OptionalString(root, "task_type", path);
        if (taskType is not null && taskType != "CAUSAL_LM")
            throw Med42Exception.At(path, "key 'task_type'", $"'{taskType}' is not a causal-LM adapter (expected CAUSAL_LM)");
        if (!root.TryGetProperty("r", out var r)) throw Med42Exception.At(path, "key 'r'", "missing (the LoRA rank)");
        if (r.ValueKind != JsonValueKind.Number || !r.TryGetInt32(out var rank))
            throw Med42Exception.At(path, "key 'r'", $"must be an integer, got {r.GetRawText()}");
        if (rank is < 1 or > MaxRank) throw Med42Exception.At(path, "key 'r'", $"rank {rank} is outside 1..{MaxRank}");
        var alpha = OptionalNumber(root, "lora_alpha", path) ?? 8; // PEFT's default lora_alpha
        if (!(alpha > 0) || !double.IsFinite(alpha)) throw Med42Exception.At(path, "key 'lora_alpha'", $"must be finite and positive, got {alpha}");
        // The graphs carry lora_alpha / r as a float32 constant.
        if (alpha / rank > float.MaxValue) throw Med42Exception.At(path, "key 'lora_alpha'", $"lora_alpha / r = {alpha / rank} does not fit float32");
        var dropout = OptionalNumber(root, "lora_dropout", path) ?? 0;
        if (!(dropout >= 0 && dropout < 1)) throw Med42Exception.At(path, "key 'lora_dropout'", $"must be in [0, 1), got {dropout}");
        var targets = Targets(root, path);
        var config = new LoraConfig { Rank = rank, Alpha = alpha, Dropout = dropout, Targets = targets };
        try { config.Validate(path); }
        catch (Med42Exception e) when (targets.Any(x => !WeightLayout.AllProjections.Contains(x)))
        {
            throw Med42Exception.At(path, "key 'target_modules'",
                $"adapter targets modules the Llama model does not have: {string.Join(", ", targets.Where(x => !WeightLayout.AllProjections.Contains(x)))} ({e.Message})");
        }
        return (config, OptionalString(root, "base_model_name_or_path", path) ?? "");
    }

    private static void CheckKey(string path, JsonProperty p)
    {
        if (Read.Contains(p.Name) || Informational.Contains(p.Name)) return;
        if (Unimplemented.TryGetValue(p.Name, out var neutral))
        {
            if (!neutral(p.Value))
                throw Med42Exception.At(path, $"key '{p.Name}'", $"PEFT feature '{p.Name}' = {Short(p.Value)} is not implemented (only plain LoRA on every listed layer is)");
            return;
        }
        throw Med42Exception.At(path, $"key '{p.Name}'", "unknown key in a PEFT LoRA adapter_config.json");
    }

    private static List<string> Targets(JsonElement root, string path)
    {
        if (!root.TryGetProperty("target_modules", out var t) || t.ValueKind == JsonValueKind.Null)
            throw Med42Exception.At(path, "key 'target_modules'", "missing: list the adapted projections (q_proj, v_proj, …)");
        if (t.ValueKind == JsonValueKind.String)
            throw Med42Exception.At(path, "key 'target_modules'", "a regular expression is not supported; list the module names");
        if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw Med42Exception.At(path, "key 'target_modules'", $"must be a list of module names, got {Short(t)}");
        var names = t.EnumerateArray().Select(e => e.GetString()!).ToList();
        // PEFT writes target_modules as a set: order the names as the model does.
        return [.. WeightLayout.AllProjections.Where(names.Contains), .. names.Where(x => !WeightLayout.AllProjections.Contains(x))];
    }

    private static bool IsFalse(JsonElement v) => v.ValueKind is JsonValueKind.False or JsonValueKind.Null;

    private static bool IsEmpty(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => true,
        JsonValueKind.Array => v.GetArrayLength() == 0,
        JsonValueKind.Object => !v.EnumerateObject().Any(),
        JsonValueKind.String => v.GetString() == "",
        _ => false,
    };

    private static string? OptionalString(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Med42Exception.At(path, $"key '{key}'", $"must be a string, got {Short(v)}");
    }

    private static double? OptionalNumber(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Med42Exception.At(path, $"key '{key}'", $"must be a number, got {Short(v)}");
        // A literal beyond the double range (1e400) reads as Infinity or fails: either way it is out of range.
        return v.TryGetDouble(out var d) && double.IsFinite(d) ? d : throw Med42Exception.At(path, $"key '{key}'", $"{Short(v)} is out of the float64 range");
    }

    private static string Short(JsonElement v)
    {
        var text = string.Join(' ', v.GetRawText().Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
