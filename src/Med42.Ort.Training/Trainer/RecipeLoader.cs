// Loads a training recipe (.yaml/.yml or .json, snake_case keys as in models/recipes/) into TrainOptions.
// YAML is converted node by node to JSON (plain scalars that read as numbers, booleans or null become
// those; quoted scalars stay strings), then one strict System.Text.Json pass maps it: unknown keys and
// wrong types fail with the file and the key path.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Med42.Ort.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Med42.Ort.Training.Trainer;

public static class RecipeLoader
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new RecipeEnumConverter() },
        WriteIndented = true,
    };

    public static TrainOptions Load(string path) => Parse(path).Validate(path);

    /// <summary>Reads without validating (the CLI applies its flags first, then validates once).</summary>
    public static TrainOptions Parse(string path)
    {
        var json = ReadJson(path, "recipe");
        try { return JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new Med42Exception($"{path}: empty recipe"); }
        catch (JsonException e) { throw new Med42Exception($"{path}: {e.Path}: {e.Message}"); }
    }

    /// <summary>
    /// A recipe file (.json, or .yaml/.yml converted node by node) as JSON text, so every kind of recipe (training,
    /// study) reads numbers, booleans and nulls identically and fails with the file and line.
    /// </summary>
    public static string ReadJson(string path, string what)
    {
        if (!File.Exists(path)) throw new Med42Exception($"{path}: {what} not found");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => File.ReadAllText(path),
            ".yaml" or ".yml" => YamlToJson(path),
            _ => throw new Med42Exception($"{path}: unknown recipe format (expected .yaml, .yml or .json)"),
        };
    }

    private static string YamlToJson(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e) { throw new Med42Exception($"{path}: line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0) throw new Med42Exception($"{path}: empty recipe");
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) Write(w, stream.Documents[0].RootNode, path);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Write(Utf8JsonWriter w, YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    w.WritePropertyName(((YamlScalarNode)k).Value ?? "");
                    Write(w, v, path);
                }
                w.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                w.WriteStartArray();
                foreach (var item in seq.Children) Write(w, item, path);
                w.WriteEndArray();
                break;
            case YamlScalarNode s:
                var text = s.Value ?? "";
                if (s.Style != ScalarStyle.Plain) w.WriteStringValue(text);
                else if (text is "" or "~" or "null") w.WriteNullValue();
                else if (text is "true" or "false") w.WriteBooleanValue(text == "true");
                else if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) w.WriteNumberValue(l);
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) w.WriteNumberValue(d);
                else w.WriteStringValue(text);
                break;
            default: throw new Med42Exception($"{path}: line {node.Start.Line}: unsupported YAML node {node.NodeType}");
        }
    }
}
