// Structure-aware JSON mutations: parse the document (or one line of a JSON Lines file), change one node
// — drop a key, swap a value for another JSON type, nest it deeply, rename a key, put a lone surrogate or a
// control escape into a string, wrap the root in an array — and serialise it again. Byte-level mutations
// rarely keep JSON parseable; these reach the schema checks behind the parser.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Med42.Ort.Fuzz.Tests.Mutation;

internal static class JsonMutator
{
    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => null, () => JsonValue.Create(true), () => JsonValue.Create(0), () => JsonValue.Create(-1), () => JsonValue.Create(1e12),
        () => JsonValue.Create(1.5), () => JsonValue.Create(""), () => JsonValue.Create("sixteen"), () => new JsonArray(), () => new JsonObject(),
        () => new JsonArray(JsonValue.Create(1), JsonValue.Create("x")), () => JsonValue.Create(long.MaxValue),
    ];

    public static (byte[], string) Mutate(byte[] bytes, InputShape shape, Mutator rng)
    {
        if (shape == InputShape.JsonLines)
        {
            // Split and rejoin as bytes: decoding would turn earlier mutations' bad bytes into valid U+FFFD.
            var starts = new List<int> { 0 };
            for (var i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') starts.Add(i + 1);
            var line = rng.Next(starts.Count);
            var start = starts[line];
            var end = line + 1 < starts.Count ? starts[line + 1] - 1 : bytes.Length;
            var (mutated, what) = MutateDocument(bytes[start..end], rng);
            return (Mutator.Splice(bytes, start, end - start, mutated), $"line {line + 1}: {what}");
        }
        return MutateDocument(bytes, rng);
    }

    // An input that earlier mutations already broke (bad UTF-8, lone surrogates, duplicate keys) is left as it is:
    // JsonNode materialises lazily and throws for those while walking or writing.
    private static (byte[], string) MutateDocument(byte[] bytes, Mutator rng)
    {
        // Re-serialising would replace bad bytes and lone surrogates with valid U+FFFD, hiding them from the reader.
        if (Core.IO.TextInput.FirstProblem(bytes, jsonEscapes: true) is not null) return (bytes, "not clean UTF-8, unchanged");
        try { return MutateParsed(bytes, rng); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            return (bytes, "not mutable JSON, unchanged");
        }
    }

    private static (byte[], string) MutateParsed(byte[] bytes, Mutator rng)
    {
        var root = JsonNode.Parse(bytes);
        if (root is null) return (bytes, "null document, unchanged");
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = rng.Pick(nodes);
        string what;
        switch (rng.Next(7))
        {
            case 0 when target.Parent is JsonObject o:
                var key = target.GetPropertyName();
                o.Remove(key);
                what = $"drop key '{key}'";
                break;
            case 1 when target.Parent is not null:
                var replacement = rng.Pick(Replacements)();
                what = $"{target.GetPath()} = {replacement?.ToJsonString() ?? "null"}";
                Replace(target, replacement);
                break;
            case 2 when target.Parent is not null:
                // Written as text: the serializer itself stops at 64 levels, readers must cope with more.
                var depth = 10 + rng.Next(200);
                what = $"{target.GetPath()} nested {depth} deep";
                Replace(target, JsonValue.Create("\u0002DEEP\u0002"));
                var nested = new string('[', depth) + "1" + new string(']', depth);
                return (Encoding.UTF8.GetBytes(root.ToJsonString().Replace("\"\\u0002DEEP\\u0002\"", nested, StringComparison.Ordinal)), what);
            case 3 when target.Parent is JsonObject o3:
                var old = target.GetPropertyName();
                var renamed = old.Length > 1 ? old[..^1] : old + "_";
                if (o3.ContainsKey(renamed)) goto default;
                o3.Remove(old);
                o3[renamed] = target;
                what = $"rename '{old}' -> '{renamed}'";
                break;
            case 4 when target is JsonValue v && v.TryGetValue<string>(out var s):
                // A raw escape inside the serialised string (the serializer would only write valid ones).
                var at = target.GetPath();
                Replace(target, JsonValue.Create(s + "\u0001FUZZ\u0001"));
                var json = root.ToJsonString().Replace("\\u0001FUZZ\\u0001", rng.Pick(["\\ud800", "\\udc00x", "\\u0000", "\\n\\r\\t"]), StringComparison.Ordinal);
                return (Encoding.UTF8.GetBytes(json), $"escape into string at {at}");
            case 5:
                return (Encoding.UTF8.GetBytes("[" + root.ToJsonString() + "]"), "root wrapped in an array");
            default:
                var value = rng.Pick(Replacements)();
                if (target.Parent is null) return (Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null"), "root replaced");
                what = $"{target.GetPath()} = {value?.ToJsonString() ?? "null"}";
                Replace(target, value);
                break;
        }
        return (Encoding.UTF8.GetBytes(root.ToJsonString()), what);
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o) if (child is not null) Collect(child, into);
                break;
            case JsonArray a:
                foreach (var child in a) if (child is not null) Collect(child, into);
                break;
        }
    }

    private static void Replace(JsonNode target, JsonNode? value)
    {
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = value; break;
            case JsonArray a: a[target.GetElementIndex()] = value; break;
        }
    }
}
