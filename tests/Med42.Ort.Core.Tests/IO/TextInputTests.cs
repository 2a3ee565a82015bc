// The text-input policy: the first invalid UTF-8 sequence or lone surrogate escape is found at its exact
// byte and line, valid surrogate pairs and escaped backslashes are left alone, and the error reads
// "file: line N: invalid UTF-8 at byte K". The oracle for UTF-8 is .NET's strict decoder.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Core.Tests.IO;

public class TextInputTests
{
    [Theory]
    [InlineData(new byte[] { 0x61, 0x0A, 0x62, 0xFF, 0x63 }, 3, 2)]       // 0xFF never starts a sequence
    [InlineData(new byte[] { 0x0A, 0x0A, 0xC3, 0x28 }, 2, 3)]             // lead byte without its continuation
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 0, 1)]                   // an encoded surrogate (CESU-8) is not UTF-8
    [InlineData(new byte[] { 0x61, 0xC0, 0xAF }, 1, 1)]                   // overlong '/'
    [InlineData(new byte[] { 0xE2, 0x82 }, 0, 1)]                         // truncated at the end
    public void FindsTheFirstInvalidByte(byte[] bytes, int offset, int line)
    {
        var p = TextInput.FirstProblem(bytes, jsonEscapes: false);
        Assert.NotNull(p);
        Assert.Equal(offset, p!.Value.Offset);
        // The strict decoder agrees that the bytes before the offset are valid and the whole is not.
        new UTF8Encoding(false, true).GetString(bytes, 0, offset);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes));
        var e = Assert.Throws<Med42Exception>(() => TextInput.Require(bytes, "d.jsonl", jsonEscapes: false));
        Assert.StartsWith($"d.jsonl: line {line}: invalid UTF-8 at byte {offset} (", e.Message);
    }

    [Theory]
    [InlineData("""{"a": "x\ud800"}""", 8)]
    [InlineData("""{"a": "\udc00"}""", 7)]
    [InlineData("""{"a": "\uD83D\u0041"}""", 7)]                       // a high surrogate followed by a non-low escape
    [InlineData("""{"a": "ok\\", "b": "\ud800"}""", 20)]               // the escaped backslash does not hide the next escape
    public void FindsLoneSurrogateEscapes(string json, int offset)
    {
        var p = TextInput.FirstProblem(Encoding.UTF8.GetBytes(json), jsonEscapes: true);
        Assert.Equal(offset, p?.Offset);
        Assert.Contains("surrogate", p?.What);
        Assert.Null(TextInput.FirstProblem(Encoding.UTF8.GetBytes(json), jsonEscapes: false)); // CSV and YAML bytes have no JSON escapes
    }

    [Theory]
    [InlineData("""{"a": "\uD83D\uDE00 caf\u00e9 ☕"}""")]              // a surrogate pair and plain escapes
    [InlineData("""{"a": "\\ud800"}""")]                               // an escaped backslash, then text
    [InlineData("""{"a": "\\\\\ud83d\ude00"}""")]
    public void AcceptsValidText(string json) => Assert.Null(TextInput.FirstProblem(Encoding.UTF8.GetBytes(json), jsonEscapes: true));

    [Fact]
    public void ErrorOffsetsCountFromTheFileStart()
    {
        byte[] line = [(byte)'x', 0xFF, (byte)'y'];
        var p = TextInput.FirstProblem(line, false)!.Value;
        var e = TextInput.Error("f.csv", line, p, baseOffset: 100, baseLine: 7);
        Assert.StartsWith("f.csv: line 7: invalid UTF-8 at byte 101 ", e.Message);
    }

    [Fact]
    public void LinesSplitAtLfAndDropCrAndBom()
    {
        var bytes = Encoding.UTF8.GetBytes("\uFEFFa\r\n\nbc\n d");
        var lines = TextInput.Lines(bytes).Select(l => (l.Number, l.Offset, Encoding.UTF8.GetString(l.Bytes.Span))).ToArray();
        Assert.Equal([(1, 3L, "a"), (2, 6L, ""), (3, 7L, "bc"), (4, 10L, " d")], lines);
        Assert.True(TextInput.IsBlank(" \t\r"u8));
    }

    [Fact]
    public void DecodeRefusesWhatItCannotRepresent()
    {
        Assert.Equal("é", TextInput.Decode(Encoding.UTF8.GetBytes("\uFEFFé"), "r.yaml", jsonEscapes: false));
        Assert.Throws<Med42Exception>(() => TextInput.Decode([0x61, 0x80], "r.yaml", jsonEscapes: false));
    }
}
