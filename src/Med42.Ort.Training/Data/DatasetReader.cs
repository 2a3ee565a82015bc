// Reads training records from JSONL (one object per line) or a JSON array, in three shapes:
//   chat    {"messages":[{"role":"system|user|assistant","content":…}, …]}
//   Alpaca  {"instruction":…, "input":…, "output":…}   (prompt = instruction, then "\n\n" + input when non-empty)
//   plain   {"text":…}
// A malformed record raises Med42Exception "file:line: what", or with skipBadLines is skipped and counted.
using System.Text;
using System.Text.Json;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Training.Data;

public sealed record ReadResult(IReadOnlyList<TrainingSample> Samples, int SkippedBadRecords, IReadOnlyList<string> Warnings);

public static class DatasetReader
{
    public static ReadResult Read(string path, bool skipBadLines = false)
    {
        if (!File.Exists(path)) throw new Med42Exception($"{path}: data file not found");
        var bytes = File.ReadAllBytes(path);
        var samples = new List<TrainingSample>();
        var warnings = new List<string>();
        var skipped = 0;
        void Handle(string position, Func<TrainingSample> parse)
        {
            try { samples.Add(parse()); }
            catch (Exception e) when (skipBadLines && e is Med42Exception or JsonException)
            {
                skipped++;
                warnings.Add(e.Message);
            }
        }
        var first = FirstNonSpace(bytes);
        if (first < bytes.Length && bytes[first] == (byte)'[')
        {
            foreach (var (line, slice) in ArrayElements(path, bytes))
            {
                var position = $"{path}:{line}";
                Handle(position, () => Parse(slice, position));
            }
        }
        else
        {
            var lineNo = 0;
            var start = 0;
            for (var i = 0; i <= bytes.Length; i++)
            {
                if (i < bytes.Length && bytes[i] != (byte)'\n') continue;
                lineNo++;
                var lineBytes = new ReadOnlyMemory<byte>(bytes, start, i - start);
                start = i + 1;
                if (Encoding.UTF8.GetString(lineBytes.Span).Trim().Length == 0) continue;
                var position = $"{path}:{lineNo}";
                Handle(position, () => Parse(lineBytes, position));
            }
        }
        return new ReadResult(samples, skipped, warnings);
    }

    private static int FirstNonSpace(byte[] b)
    {
        var i = b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
        while (i < b.Length && (b[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) i++;
        return i;
    }

    // Each top-level element of a JSON array with the line it starts on.
    private static IEnumerable<(int Line, ReadOnlyMemory<byte> Slice)> ArrayElements(string path, byte[] bytes)
    {
        var result = new List<(int, ReadOnlyMemory<byte>)>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            reader.Read(); // [
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                result.Add((LineOf(bytes, start), new ReadOnlyMemory<byte>(bytes, start, end - start)));
            }
        }
        catch (JsonException e)
        {
            throw new Med42Exception($"{path}:{(e.LineNumber ?? 0) + 1}: malformed JSON array ({e.Message})");
        }
        return result;
    }

    private static int LineOf(byte[] bytes, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset; i++) if (bytes[i] == (byte)'\n') line++;
        return line;
    }

    private static TrainingSample Parse(ReadOnlyMemory<byte> json, string position)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new Med42Exception($"{position}: malformed JSON ({e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new Med42Exception($"{position}: expected a JSON object, got {root.ValueKind}");
            if (root.TryGetProperty("messages", out var messages)) return Chat(messages, position);
            if (root.TryGetProperty("instruction", out var instruction))
            {
                var prompt = Str(instruction, position, "instruction");
                if (root.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null && Str(input, position, "input") is { Length: > 0 } extra)
                    prompt += "\n\n" + extra;
                if (!root.TryGetProperty("output", out var output)) throw new Med42Exception($"{position}: Alpaca record has no 'output' (no assistant turn)");
                return new TrainingSample { Turns = [new("user", prompt), new("assistant", Str(output, position, "output"))], Position = position };
            }
            if (root.TryGetProperty("text", out var text)) return new TrainingSample { Text = Str(text, position, "text"), Position = position };
            throw new Med42Exception($"{position}: unknown record shape (expected 'messages', 'instruction'/'output' or 'text')");
        }
    }

    private static TrainingSample Chat(JsonElement messages, string position)
    {
        if (messages.ValueKind != JsonValueKind.Array) throw new Med42Exception($"{position}: 'messages' must be an array");
        string? system = null;
        var turns = new List<ChatTurn>();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var r) || !m.TryGetProperty("content", out var c))
                throw new Med42Exception($"{position}: messages[{i}] needs 'role' and 'content'");
            var role = Str(r, position, $"messages[{i}].role");
            var content = Str(c, position, $"messages[{i}].content");
            switch (role)
            {
                case "system" when turns.Count == 0 && system is null: system = content; break;
                case "user" or "assistant": turns.Add(new(role, content)); break;
                default: throw new Med42Exception($"{position}: messages[{i}] has unexpected role '{role}' (system first, then user/assistant)");
            }
            i++;
        }
        if (!turns.Any(t => t.Role == "assistant")) throw new Med42Exception($"{position}: conversation has no assistant turn");
        return new TrainingSample { System = system, Turns = turns, Position = position };
    }

    private static string Str(JsonElement e, string position, string field) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new Med42Exception($"{position}: '{field}' must be a string, got {e.ValueKind}");
}
