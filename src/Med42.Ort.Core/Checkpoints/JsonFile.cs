// Strict JSON parsing for checkpoint headers and config files: bytes must follow the text-input policy
// (UTF-8, no lone surrogate escapes: TextInput) and be valid JSON, and every failure is a Med42Exception
// giving the file and the byte offset of the problem.
using System.Text;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Core.Checkpoints;

public static class JsonFile
{
    /// <summary>Reads and parses a whole JSON file (config.json, index.json).</summary>
    public static JsonDocument Read(string path)
    {
        return Parse(InputFile.ReadAllBytes(path, "JSON file"), path);
    }

    /// <summary>
    /// Parses <paramref name="json"/>; <paramref name="baseOffset"/> is where these bytes start in
    /// <paramref name="file"/>, so reported offsets are file offsets.
    /// </summary>
    /// <summary>RFC 8259 JSON, nested at most 64 deep (System.Text.Json's default, named so every reader shares it).</summary>
    public static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string file, long baseOffset = 0)
    {
        var span = json.Span;
        TextInput.Require(span, file, jsonEscapes: true, baseOffset);
        // A UTF-8 byte order mark is not JSON (RFC 8259 §8.1 forbids emitting it); reject it clearly.
        if (span.StartsWith("\uFEFF"u8))
            throw Med42Exception.At(file, $"byte {baseOffset}", "JSON starts with a UTF-8 byte order mark");
        try
        {
            return JsonDocument.Parse(json, Options);
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
