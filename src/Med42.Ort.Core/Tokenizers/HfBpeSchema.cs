// The typed parts of a tokenizer.json that HfBpeTokenizer depends on, checked strictly: every field
// has its JSON type (a wrong-typed field is an error naming its $.path, never a silent default), and
// options that would make HF tokenizers encode or decode differently from this implementation
// (BPE dropout, subword prefixes, ignore_merges, fuse_unk off, a decoder other than the Llama one)
// are refused. Test: tests/Med42.Ort.Core.Tests/Tokenizers/HfBpeSchemaTests.cs.
using System.Text.Json;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tokenizers;

/// <summary>One entry of added_tokens.</summary>
internal readonly record struct HfAddedToken(int Id, string Content, bool Special, string At);

/// <summary>The model options and added tokens of a tokenizer.json, typed.</summary>
internal sealed record HfBpeSchema(bool ByteFallback, string? UnkToken, IReadOnlyList<HfAddedToken> AddedTokens, IReadOnlyList<string> BosTemplate)
{
    private static readonly string[] DecoderTypes = ["Sequence", "Replace", "ByteFallback", "Fuse", "Strip"];

    public static HfBpeSchema Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Med42Exception.At(path, "$", $"tokenizer.json must be a JSON object, got {root.ValueKind}");
        var model = Get(root, "model", "$", path, JsonValueKind.Object) ?? throw Med42Exception.At(path, "$", "missing \"model\"");
        var type = Get(model, "type", "$.model", path, JsonValueKind.String)?.GetString() ?? "BPE";
        if (type != "BPE") throw Med42Exception.At(path, "$.model.type", $"model type '{type}' is not supported (only BPE)");
        var byteFallback = Get(model, "byte_fallback", "$.model", path, JsonValueKind.True, JsonValueKind.False)?.GetBoolean() ?? false;
        var unk = Get(model, "unk_token", "$.model", path, JsonValueKind.String)?.GetString();
        if (Get(model, "fuse_unk", "$.model", path, JsonValueKind.True, JsonValueKind.False)?.GetBoolean() == false && unk is not null)
            throw Med42Exception.At(path, "$.model.fuse_unk", "false is not supported (the Llama layout fuses unknowns)");
        if (Get(model, "ignore_merges", "$.model", path, JsonValueKind.True, JsonValueKind.False)?.GetBoolean() == true)
            throw Med42Exception.At(path, "$.model.ignore_merges", "true is not supported");
        if (Get(model, "dropout", "$.model", path, JsonValueKind.Number) is { } dropout && !(dropout.TryGetDouble(out var p) && p == 0))
            throw Med42Exception.At(path, "$.model.dropout", $"BPE dropout {dropout.GetRawText()} is not supported (encoding must be deterministic)");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (Get(model, affix, "$.model", path, JsonValueKind.String)?.GetString() is { Length: > 0 } s)
                throw Med42Exception.At(path, $"$.model.{affix}", $"'{s}' is not supported (the Llama layout has none)");
        if (Get(root, "decoder", "$", path, JsonValueKind.Object) is { } decoder) CheckDecoder(decoder, "$.decoder", path, depth: 0);
        return new HfBpeSchema(byteFallback, unk, ReadAddedTokens(root, path), ReadBosTemplate(root, path));
    }

    private static List<HfAddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var list = new List<HfAddedToken>();
        if (Get(root, "added_tokens", "$", path, JsonValueKind.Array) is not { } added) return list;
        var i = 0;
        foreach (var a in added.EnumerateArray())
        {
            var at = $"$.added_tokens[{i++}]";
            if (a.ValueKind != JsonValueKind.Object) throw Med42Exception.At(path, at, $"expected an object, found {a.ValueKind}");
            var idEl = Get(a, "id", at, path, JsonValueKind.Number) ?? throw Med42Exception.At(path, at, "missing \"id\"");
            if (!idEl.TryGetInt32(out var id) || id < 0) throw Med42Exception.At(path, $"{at}.id", $"token id {idEl.GetRawText()} is not a non-negative integer");
            var content = Get(a, "content", at, path, JsonValueKind.String)?.GetString() ?? throw Med42Exception.At(path, at, "missing \"content\"");
            if (content.Length == 0) throw Med42Exception.At(path, $"{at}.content", "an added token cannot be empty");
            var special = Get(a, "special", at, path, JsonValueKind.True, JsonValueKind.False)?.GetBoolean() ?? false;
            foreach (var flag in new[] { "single_word", "lstrip", "rstrip", "normalized" })
                Get(a, flag, at, path, JsonValueKind.True, JsonValueKind.False);
            list.Add(new HfAddedToken(id, content, special, at));
        }
        return list;
    }

    // TemplateProcessing: the SpecialToken ids before the first Sequence are what the post-processor prepends.
    private static List<string> ReadBosTemplate(JsonElement root, string path)
    {
        var ids = new List<string>();
        if (Get(root, "post_processor", "$", path, JsonValueKind.Object) is not { } post) return ids;
        if (Get(post, "single", "$.post_processor", path, JsonValueKind.Array) is not { } single) return ids;
        var i = 0;
        foreach (var step in single.EnumerateArray())
        {
            var at = $"$.post_processor.single[{i++}]";
            if (step.ValueKind != JsonValueKind.Object) throw Med42Exception.At(path, at, $"expected an object, found {step.ValueKind}");
            if (step.TryGetProperty("Sequence", out _)) break;
            if (Get(step, "SpecialToken", at, path, JsonValueKind.Object) is { } st)
                ids.Add(Get(st, "id", at + ".SpecialToken", path, JsonValueKind.String)?.GetString()
                    ?? throw Med42Exception.At(path, at + ".SpecialToken", "missing \"id\""));
        }
        return ids;
    }

    private static void CheckDecoder(JsonElement d, string at, string path, int depth)
    {
        var type = Get(d, "type", at, path, JsonValueKind.String)?.GetString() ?? throw Med42Exception.At(path, at, "missing \"type\"");
        if (!DecoderTypes.Contains(type))
            throw Med42Exception.At(path, $"{at}.type", $"decoder '{type}' is not supported ({string.Join(", ", DecoderTypes)} are)");
        switch (type)
        {
            case "Sequence":
                if (depth > 4) throw Med42Exception.At(path, at, "decoders nested too deeply");
                var list = Get(d, "decoders", at, path, JsonValueKind.Array) ?? throw Med42Exception.At(path, at, "missing \"decoders\"");
                var i = 0;
                foreach (var child in list.EnumerateArray())
                {
                    var childAt = $"{at}.decoders[{i++}]";
                    if (child.ValueKind != JsonValueKind.Object) throw Med42Exception.At(path, childAt, $"expected an object, found {child.ValueKind}");
                    CheckDecoder(child, childAt, path, depth + 1);
                }
                break;
            case "Replace":
                var pattern = Get(d, "pattern", at, path, JsonValueKind.Object) ?? throw Med42Exception.At(path, at, "missing \"pattern\"");
                if (Get(pattern, "String", $"{at}.pattern", path, JsonValueKind.String) is null && Get(pattern, "Regex", $"{at}.pattern", path, JsonValueKind.String) is null)
                    throw Med42Exception.At(path, $"{at}.pattern", "expected {\"String\": …} or {\"Regex\": …}");
                Get(d, "content", at, path, JsonValueKind.String);
                break;
            case "Strip":
                Get(d, "content", at, path, JsonValueKind.String);
                foreach (var n in new[] { "start", "stop" })
                    if (Get(d, n, at, path, JsonValueKind.Number) is { } v && !(v.TryGetInt32(out var k) && k >= 0))
                        throw Med42Exception.At(path, $"{at}.{n}", $"expected a non-negative integer, found {v.GetRawText()}");
                break;
        }
    }

    /// <summary>The member when present and not null; a member of another JSON type is an error naming its path.</summary>
    public static JsonElement? Get(JsonElement obj, string name, string at, string path, params JsonValueKind[] kinds)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (!kinds.Contains(v.ValueKind))
            throw Med42Exception.At(path, $"{at}.{name}", $"expected {string.Join(" or ", kinds.Select(Kind).Distinct())}, found {Kind(v.ValueKind)}");
        return v;
    }

    private static string Kind(JsonValueKind k) => k is JsonValueKind.True or JsonValueKind.False ? "Boolean" : k.ToString();
}
