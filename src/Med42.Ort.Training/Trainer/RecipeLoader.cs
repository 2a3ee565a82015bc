// Loads a training recipe (.yaml/.yml or .json, snake_case keys as in models/recipes/) into TrainOptions.
// YAML is converted node by node to JSON (plain scalars that read as numbers, booleans or null become
// those; quoted scalars stay strings), then one strict System.Text.Json pass maps it: unknown keys and
// wrong types fail with the file and the key path. The file follows the text-input policy (TextInput), and
// YAML's aliases and nesting are bounded so a hostile recipe cannot expand without limit.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Med42.Ort.Training.Trainer;

public static class RecipeLoader
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // `targets:` left empty in YAML is null: refuse it for non-nullable members instead of handing on a null list.
        RespectNullableAnnotations = true,
        Converters = { new RecipeEnumConverter() },
        WriteIndented = true,
    };

    public static TrainOptions Load(string path) => Parse(path).Validate(path);

    /// <summary>Reads without validating (the CLI applies its flags first, then validates once).</summary>
    public static TrainOptions Parse(string path)
    {
        var json = ReadJson(path, "recipe");
        try { return JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new Med42Exception($"{path}: empty recipe"); }
        catch (JsonException e) { throw new Med42Exception($"{path}: {e.Path ?? "$"}: {e.Message}"); }
    }

    /// <summary>
    /// A recipe file (.json, or .yaml/.yml converted node by node) as JSON text, so every kind of recipe (training,
    /// study) reads numbers, booleans and nulls identically and fails with the file and line.
    /// </summary>
    public static string ReadJson(string path, string what)
    {
        var kind = Path.GetExtension(path).ToLowerInvariant();
        if (kind is not (".json" or ".yaml" or ".yml"))
            throw new Med42Exception($"{path}: unknown recipe format (expected .yaml, .yml or .json)");
        var bytes = InputFile.ReadAllBytes(path, what);
        if (bytes.Length > MaxRecipeBytes) throw Med42Exception.At(path, "byte 0", $"{bytes.Length} bytes: a recipe is at most {MaxRecipeBytes} bytes");
        // The text-input policy (TextInput): UTF-8, and no lone surrogate escapes in JSON.
        var text = TextInput.Decode(bytes, path, jsonEscapes: kind == ".json");
        return kind == ".json" ? text : YamlToJson(text, path, bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0);
    }

    /// <summary>Recipes are a page of settings; the cap keeps a hostile file from costing more than reading it.</summary>
    public const int MaxRecipeBytes = 1 << 20;

    // Anchors and aliases let a few lines name exponentially many nodes ("billion laughs"); a recipe has a few dozen.
    private const int MaxNodes = 100_000;
    private const int MaxDepth = 64;

    private static string YamlToJson(string text, string path, int bomBytes)
    {
        var stream = new YamlStream();
        // The representation model loads nested nodes recursively: refuse deep flow nesting before it does.
        if (FlowDepth(text) > MaxDepth) throw new Med42Exception($"{path}: line 1: nested more than {MaxDepth} levels deep");
        var parser = new Parser(new StringReader(text));
        try { stream.Load(parser); }
        catch (YamlException e) { throw new Med42Exception($"{path}: line {e.Start.Line}: {e.Message}"); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner has thrown these on malformed input: report the last line it understood.
            throw new Med42Exception($"{path}: line {parser.Current?.End.Line ?? 1}: malformed YAML after this point ({e.Message})");
        }
        if (stream.Documents.Count == 0) throw new Med42Exception($"{path}: line 1: empty recipe");
        using var ms = new MemoryStream();
        var nodes = 0;
        using (var w = new Utf8JsonWriter(ms)) Write(w, stream.Documents[0].RootNode, new YamlContext(path, text, bomBytes), ref nodes, 0);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private sealed record YamlContext(string Path, string Text, int BomBytes)
    {
        public Med42Exception Error(YamlNode node, string what) => new($"{Path}: line {node.Start.Line}: {what}");

        // A "\uD800" escape in a double-quoted scalar yields a lone surrogate, which no UTF-8 can hold.
        public string Checked(YamlNode node, string value)
        {
            for (var i = 0; i < value.Length; i++)
            {
                if (!char.IsSurrogate(value[i])) continue;
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                var at = (int)Math.Min(node.Start.Index, Text.Length);
                throw Error(node, $"invalid UTF-8 at byte {BomBytes + Encoding.UTF8.GetByteCount(Text.AsSpan(0, at))} (lone surrogate escape \\u{(int)value[i]:x4} in this scalar)");
            }
            return value;
        }
    }

    private static int FlowDepth(string text)
    {
        int depth = 0, max = 0;
        foreach (var c in text)
        {
            if (c is '[' or '{') max = Math.Max(max, ++depth);
            else if (c is ']' or '}') depth = Math.Max(0, depth - 1);
        }
        return max;
    }

    private static void Write(Utf8JsonWriter w, YamlNode node, YamlContext ctx, ref int nodes, int depth)
    {
        if (++nodes > MaxNodes) throw ctx.Error(node, $"the recipe expands to more than {MaxNodes} nodes (aliases repeating anchors?)");
        if (depth > MaxDepth) throw ctx.Error(node, $"nested more than {MaxDepth} levels deep");
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode key) throw ctx.Error(k, "a mapping key must be a plain scalar");
                    w.WritePropertyName(ctx.Checked(k, key.Value ?? ""));
                    Write(w, v, ctx, ref nodes, depth + 1);
                }
                w.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                w.WriteStartArray();
                foreach (var item in seq.Children) Write(w, item, ctx, ref nodes, depth + 1);
                w.WriteEndArray();
                break;
            case YamlScalarNode s:
                var text = ctx.Checked(s, s.Value ?? "");
                if (s.Style != ScalarStyle.Plain) w.WriteStringValue(text);
                else if (text is "" or "~" or "null") w.WriteNullValue();
                else if (text is "true" or "false") w.WriteBooleanValue(text == "true");
                else if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) w.WriteNumberValue(l);
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    if (!double.IsFinite(d)) throw ctx.Error(s, $"number '{text}' is out of the float64 range");
                    w.WriteNumberValue(d);
                }
                else w.WriteStringValue(text);
                break;
            default: throw ctx.Error(node, $"unsupported YAML node {node.NodeType}");
        }
    }
}
