// The text-input policy every reader of JSON, JSONL, CSV and YAML follows, in training and evaluation
// alike: the bytes must be UTF-8, and JSON's \uXXXX escapes must not leave a lone surrogate (a string
// that no UTF-8 can encode). A violation is "file: line N: invalid UTF-8 at byte K" (K counts from the
// start of the file, 0-based) — never U+FFFD substituted silently, never a stack trace. Line-oriented
// readers check each line on its own so a skip-bad flag can drop just that record.
// Test: tests/Med42.Ort.Core.Tests/IO/TextInputTests.cs.
using System.Text;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.IO;

/// <summary>One line of a text file: 1-based number, byte offset of its first byte, its bytes without the line break.</summary>
public readonly record struct TextLine(int Number, long Offset, ReadOnlyMemory<byte> Bytes);

public static class TextInput
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The first problem in <paramref name="bytes"/>: its byte offset and a short description, or null when clean.
    /// With <paramref name="jsonEscapes"/>, a \uD800–\uDFFF escape not forming a surrogate pair counts too.
    /// </summary>
    public static (int Offset, string What)? FirstProblem(ReadOnlySpan<byte> bytes, bool jsonEscapes)
    {
        var bad = System.Text.Unicode.Utf8.IsValid(bytes) ? -1 : FirstInvalidUtf8(bytes);
        if (bad >= 0) return (bad, $"byte 0x{bytes[bad]:X2} starts no valid sequence");
        return jsonEscapes ? LoneSurrogateEscape(bytes) : null;
    }

    /// <summary>Throws the policy's error when <paramref name="bytes"/> (which start at <paramref name="baseOffset"/>, line <paramref name="baseLine"/> of <paramref name="file"/>) break it.</summary>
    public static void Require(ReadOnlySpan<byte> bytes, string file, bool jsonEscapes, long baseOffset = 0, int baseLine = 1)
    {
        if (FirstProblem(bytes, jsonEscapes) is { } p) throw Error(file, bytes, p, baseOffset, baseLine);
    }

    /// <summary>The policy's error for a problem found at <paramref name="problem"/> within <paramref name="bytes"/>.</summary>
    public static Med42Exception Error(string file, ReadOnlySpan<byte> bytes, (int Offset, string What) problem, long baseOffset = 0, int baseLine = 1)
    {
        var line = baseLine + bytes[..problem.Offset].Count((byte)'\n');
        return Med42Exception.At(file, $"line {line}", $"invalid UTF-8 at byte {baseOffset + problem.Offset} ({problem.What})");
    }

    /// <summary>Decodes a whole checked file to text, dropping a leading byte order mark.</summary>
    public static string Decode(byte[] bytes, string file, bool jsonEscapes)
    {
        Require(bytes, file, jsonEscapes);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        return Strict.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>Decodes bytes already known to be valid (e.g. one checked line).</summary>
    public static string DecodeValid(ReadOnlySpan<byte> bytes) => Strict.GetString(bytes);

    /// <summary>The lines of <paramref name="bytes"/> split at '\n' (a '\r' before it is dropped), unchecked.</summary>
    public static IEnumerable<TextLine> Lines(byte[] bytes)
    {
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var number = 0;
        while (start < bytes.Length)
        {
            number++;
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            var next = end < 0 ? bytes.Length : end + 1;
            if (end < 0) end = bytes.Length;
            if (end > start && bytes[end - 1] == (byte)'\r') end--;
            yield return new TextLine(number, start, new ReadOnlyMemory<byte>(bytes, start, end - start));
            start = next;
        }
    }

    /// <summary>True when the line holds only spaces, tabs or a carriage return.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.TrimStart(" \t\r"u8).IsEmpty;

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length)
        {
            if (Rune.DecodeFromUtf8(span[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return -1;
    }

    // In valid JSON a backslash only ever starts an escape inside a string, so a byte scan that steps over
    // each escape finds every \uXXXX without a parser; invalid JSON is the parser's to report.
    private static (int, string)? LoneSurrogateEscape(ReadOnlySpan<byte> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != (byte)'\\') continue;
            if (i + 1 >= s.Length) return null;
            if (s[i + 1] != (byte)'u' || !Hex4(s, i + 2, out var unit)) { i++; continue; }
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 11 < s.Length && s[i + 6] == (byte)'\\' && s[i + 7] == (byte)'u' && Hex4(s, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
                {
                    i += 11;
                    continue;
                }
                return (i, $"lone high surrogate escape \\u{unit:x4}");
            }
            if (unit is >= 0xDC00 and <= 0xDFFF) return (i, $"lone low surrogate escape \\u{unit:x4}");
            i += 5;
        }
        return null;
    }

    private static bool Hex4(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (at + 4 > s.Length) return false;
        for (var k = 0; k < 4; k++)
        {
            var c = s[at + k];
            var d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            value = value * 16 + d;
        }
        return true;
    }
}
