// Reads training records from JSONL (one object per line) or a JSON array, in three shapes:
//   chat    {"messages":[{"role":"system|user|assistant","content":…}, …]}
//   Alpaca  {"instruction":…, "input":…, "output":…}   (prompt = instruction, then "\n\n" + input when non-empty)
//   plain   {"text":…}
// A malformed record raises Med42Exception "file:line: what", or with skipBadLines is skipped and counted;
// so does a record breaking the text-input policy (TextInput: "file: line N: invalid UTF-8 at byte K").
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Training.Data;

public sealed record ReadResult(IReadOnlyList<TrainingSample> Samples, int SkippedBadRecords, IReadOnlyList<string> Warnings);

public static class DatasetReader
{
    public static ReadResult Read(string path, bool skipBadLines = false)
    {
        var bytes = InputFile.ReadAllBytes(path, "data file");
        var samples = new List<TrainingSample>();
        var warnings = new List<string>();
        var skipped = 0;
        // One record: the text-input policy on its bytes (TextInput), then JSON, then the record shape.
        void Handle(int line, long offset, ReadOnlyMemory<byte> json)
        {
            var position = $"{path}:{line}";
            try
            {
                if (TextInput.FirstProblem(json.Span, jsonEscapes: true) is { } problem)
                    throw TextInput.Error(path, json.Span, problem, offset, line);
                samples.Add(Parse(json, position));
            }
            catch (Med42Exception e) when (skipBadLines)
            {
                skipped++;
                warnings.Add(e.Message);
            }
        }
        var first = FirstNonSpace(bytes);
        if (first < bytes.Length && bytes[first] == (byte)'[')
        {
            foreach (var (line, offset, slice) in ArrayElements(path, bytes)) Handle(line, offset, slice);
        }
        else
        {
            foreach (var line in TextInput.Lines(bytes))
                if (!TextInput.IsBlank(line.Bytes.Span)) Handle(line.Number, line.Offset, line.Bytes);
        }
        return new ReadResult(samples, skipped, warnings);
    }

    private static int FirstNonSpace(byte[] b)
    {
        var i = b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
        while (i < b.Length && (b[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) i++;
        return i;
    }

    // Each top-level element of a JSON array with the line and byte it starts on. The splitting reader steps
    // over string contents, so invalid UTF-8 inside one element is that element's problem (Handle checks it).
    private static List<(int Line, long Offset, ReadOnlyMemory<byte> Slice)> ArrayElements(string path, byte[] bytes)
    {
        var result = new List<(int, long, ReadOnlyMemory<byte>)>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        try
        {
            reader.Read(); // [
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                result.Add((LineOf(bytes, start), start, new ReadOnlyMemory<byte>(bytes, start, end - start)));
            }
            if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("the array is not closed");
            while (reader.Read()) { } // anything after the closing bracket is an error too
        }
        catch (JsonException e)
        {
            // A structural break caused by bytes that are not UTF-8 is reported as such.
            if (TextInput.FirstProblem(bytes, jsonEscapes: false) is { } problem) throw TextInput.Error(path, bytes, problem);
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
        try { doc = JsonDocument.Parse(json, Core.Checkpoints.JsonFile.Options); }
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
