// The strict RFC 4180 reader: quoted newlines, "" escapes, LF and CRLF, no final newline, and
// errors with the line for malformed quoting. Expected fields are written from the RFC's rules.
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Data;

namespace Med42.Ort.Eval.Tests;

public class CsvReaderTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void QuotedNewlinesAndEscapes(string eol)
    {
        var text = $"a,\"b{eol}c\",\"say \"\"hi\"\"\"{eol}\"x,y\",,z";
        var rows = CsvReader.Parse(text, "t.csv");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["a", $"b{eol}c", "say \"hi\""], rows[0].Fields);
        Assert.Equal(1, rows[0].Line);
        Assert.Equal(["x,y", "", "z"], rows[1].Fields);
        Assert.Equal(3, rows[1].Line); // the quoted newline made record 1 span lines 1–2
    }

    [Fact]
    public void FinalNewlineOptional_TrailingEmptyField()
    {
        Assert.Equal(CsvReader.Parse("a,b\nc,d", "t").Select(r => r.Fields), CsvReader.Parse("a,b\nc,d\n", "t").Select(r => r.Fields));
        Assert.Equal(["a", ""], CsvReader.Parse("a,", "t")[0].Fields);
        Assert.Equal(["a", "b"], CsvReader.Parse("a,b\r\n", "t").Single().Fields);
    }

    [Theory]
    [InlineData("a,b\nc\"d,e", "t.csv: line 2: quote inside an unquoted field")]
    [InlineData("a,\"b\"x,c", "t.csv: line 1: unexpected character 'x' after a closing quote")]
    [InlineData("a\n\"open,b\nc", "t.csv: line 2: unterminated quoted field")]
    public void Malformed_ReportsLine(string text, string message)
    {
        var e = Assert.Throws<Med42Exception>(() => CsvReader.Parse(text, "t.csv"));
        Assert.Equal(message, e.Message);
    }
}
