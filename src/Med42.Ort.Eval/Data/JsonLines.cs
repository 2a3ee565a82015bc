// JSON Lines reading with 1-based line numbers (blank lines skipped), and field accessors that
// turn a missing or mistyped field into "file:line: missing field 'x'" instead of a bare exception.
// Lines follow the text-input policy (TextInput: UTF-8, no lone surrogate escapes); a line that breaks
// it, or is not a JSON object, is a bad record like any other: an error, or skipped and counted.
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Eval.Data;

public static class JsonLines
{
    /// <summary>
    /// Every record of <paramref name="path"/> through <paramref name="parse"/>; a record that fails (Med42Exception
    /// naming file:line) goes to <paramref name="log"/>, which either rethrows or counts it (--skip-bad).
    /// A file without a single record is an error.
    /// </summary>
    public static List<T> ReadRecords<T>(string path, Documents.BadDataLog log, Func<JsonRecord, T> parse)
    {
        var items = new List<T>();
        var records = 0;
        foreach (var (line, element, error) in Read(path))
        {
            records++;
            if (error is not null) { log.Report(error); continue; }
            try { items.Add(parse(new JsonRecord(path, line, element))); }
            catch (Med42Exception e) { log.Report(e); }
        }
        if (records == 0) throw Med42Exception.At(path, "line 1", "no records: the file is empty");
        return items;
    }

    /// <summary>
    /// (line number, parsed object, null) for every non-blank line, or (line number, default, error) for a line that
    /// is not valid UTF-8, not valid JSON or not an object.
    /// </summary>
    public static IEnumerable<(int Line, JsonElement Record, Med42Exception? Error)> Read(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, "JSON Lines file");
        foreach (var line in TextInput.Lines(bytes))
        {
            var span = line.Bytes.Span;
            if (TextInput.IsBlank(span)) continue;
            if (TextInput.FirstProblem(span, jsonEscapes: true) is { } problem)
            {
                yield return (line.Number, default, TextInput.Error(path, span, problem, line.Offset, line.Number));
                continue;
            }
            JsonElement element;
            Med42Exception? error = null;
            try
            {
                using var doc = JsonDocument.Parse(line.Bytes, Core.Checkpoints.JsonFile.Options);
                element = doc.RootElement.Clone();
                if (element.ValueKind != JsonValueKind.Object)
                    error = Med42Exception.At(path, $"line {line.Number}", $"expected a JSON object, got {element.ValueKind}");
            }
            catch (JsonException e)
            {
                element = default;
                error = Med42Exception.At(path, $"line {line.Number}", $"invalid JSON: {e.Message}");
            }
            yield return (line.Number, element, error);
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
