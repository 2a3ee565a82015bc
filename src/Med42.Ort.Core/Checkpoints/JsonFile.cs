// Strict JSON parsing for checkpoint headers and config files: bytes must be UTF-8 and valid JSON,
// and every failure is a Med42Exception giving the file and the byte offset of the problem.
using System.Text;
using System.Text.Json;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Checkpoints;

public static class JsonFile
{
    /// <summary>Reads and parses a whole JSON file (config.json, index.json).</summary>
    public static JsonDocument Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>
    /// Parses <paramref name="json"/>; <paramref name="baseOffset"/> is where these bytes start in
    /// <paramref name="file"/>, so reported offsets are file offsets.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string file, long baseOffset = 0)
    {
        var span = json.Span;
        if (!System.Text.Unicode.Utf8.IsValid(span))
        {
            var at = FirstInvalidUtf8(span);
            throw Med42Exception.At(file, $"byte {baseOffset + at}", "JSON is not valid UTF-8");
        }
        // A UTF-8 byte order mark is not JSON (RFC 8259 §8.1 forbids emitting it); reject it clearly.
        if (span.StartsWith("\uFEFF"u8))
            throw Med42Exception.At(file, $"byte {baseOffset}", "JSON starts with a UTF-8 byte order mark");
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            var line = e.LineNumber ?? 0;
            var inLine = e.BytePositionInLine ?? 0;
            var lineStart = LineStart(span, line);
            var reason = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.', ' ');
            throw Med42Exception.At(file, $"byte {baseOffset + lineStart + inLine} (line {line + 1})", $"invalid JSON: {reason}");
        }
    }

    /// <summary>Byte index of the first invalid UTF-8 sequence (span.Length when valid).</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length)
        {
            if (Rune.DecodeFromUtf8(span[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return i;
    }

    private static long LineStart(ReadOnlySpan<byte> span, long line)
    {
        long start = 0;
        for (long l = 0; l < line; l++)
        {
            var next = span[(int)start..].IndexOf((byte)'\n');
            if (next < 0) break;
            start += next + 1;
        }
        return start;
    }
}
