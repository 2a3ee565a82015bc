// JSON Lines reading with 1-based line numbers (blank lines skipped), and field accessors that
// turn a missing or mistyped field into "file:line: missing field 'x'" instead of a bare exception.
using System.Text.Json;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Data;

public static class JsonLines
{
    /// <summary>
    /// Every record of <paramref name="path"/> through <paramref name="parse"/>; a record that fails (Med42Exception
    /// naming file:line) goes to <paramref name="log"/>, which either rethrows or counts it (--skip-bad).
    /// </summary>
    public static List<T> ReadRecords<T>(string path, Documents.BadDataLog log, Func<JsonRecord, T> parse)
    {
        var items = new List<T>();
        foreach (var (line, element) in Read(path))
        {
            try { items.Add(parse(new JsonRecord(path, line, element))); }
            catch (Med42Exception e) { log.Report(e); }
        }
        return items;
    }

    /// <summary>Yields (line number, parsed object) for every non-blank line; malformed JSON is a Med42Exception at that line.</summary>
    public static IEnumerable<(int Line, JsonElement Record)> Read(string path)
    {
        var lineNo = 0;
        foreach (var text in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonElement element;
            try
            {
                using var doc = JsonDocument.Parse(text);
                element = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw Med42Exception.At(path, $"line {lineNo}", $"invalid JSON: {e.Message}");
            }
            if (element.ValueKind != JsonValueKind.Object)
                throw Med42Exception.At(path, $"line {lineNo}", $"expected a JSON object, got {element.ValueKind}");
            yield return (lineNo, element);
        }
    }
}

/// <summary>Typed access to one JSON object with file:line error messages.</summary>
public readonly record struct JsonRecord(string File, int Line, JsonElement Element)
{
    public Med42Exception Error(string what) => Med42Exception.At(File, $"line {Line}", what);

    public bool Has(string name) => Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement Get(string name) =>
        Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : throw Error($"missing field '{name}'");

    /// <summary>A string field; missing or non-string is an error.</summary>
    public string String(string name)
    {
        var v = Get(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error($"field '{name}' must be a string, got {v.ValueKind}");
    }

    public string? OptionalString(string name) =>
        Element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An integer field (a JSON number with no fraction).</summary>
    public int Int(string name)
    {
        var v = Get(name);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Error($"field '{name}' must be an integer, got {v}");
    }

    /// <summary>The raw text of a field for the samples output (strings unquoted, others as JSON).</summary>
    public string? RawText(string name) =>
        Element.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
}
