// PythonText against CPython itself: str(float) and json.dumps(doc, indent=2, ensure_ascii=False) + sha256,
// the texts the harness's sample records carry (resps) and hash (doc_hash). Goldens: tools/goldens/python_text.py.
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Eval.Reports;

namespace Med42.Ort.Eval.Tests.Reports;

public class PythonTextTests
{
    private static JsonElement Golden()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "python_text.json")));
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Repr_MatchesCPythonStrOfFloat()
    {
        var floats = Golden().GetProperty("floats").EnumerateArray().ToArray();
        Assert.True(floats.Length >= 20);
        foreach (var f in floats)
        {
            var bits = ulong.Parse(f.GetProperty("bits").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var x = BitConverter.UInt64BitsToDouble(bits);
            Assert.Equal(f.GetProperty("str").GetString(), PythonText.Repr(x));
        }
    }

    [Fact]
    public void DumpsIndented_AndHash_MatchCPythonJsonDumps()
    {
        foreach (var d in Golden().GetProperty("docs").EnumerateArray())
        {
            var node = JsonNode.Parse(d.GetProperty("doc").GetRawText());
            var text = PythonText.DumpsIndented(node);
            Assert.Equal(d.GetProperty("dumps").GetString(), text);
            Assert.Equal(d.GetProperty("sha256").GetString(), PythonText.HashString(text));
        }
    }

    [Fact]
    public void Str_OfBool_IsPythons() => Assert.Equal(("True", "False"), (PythonText.Str(true), PythonText.Str(false)));
}
