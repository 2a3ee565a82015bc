// Training data under the same text-input policy as evaluation: invalid UTF-8 or a lone surrogate escape
// in JSONL (which crashed train, with or without --skip-bad-lines) is "file: line N: invalid UTF-8 at
// byte K", or a counted skip; a bad element of a JSON array is skipped alone; a dangling or looping
// symbolic link given as --data is named.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Training.Tests.Data;

public class DataInputHardeningTests
{
    private const string Good = """{"instruction": "Define fever.", "output": "A raised body temperature."}""";

    [Fact]
    public void InvalidUtf8LineIsAnErrorOrACountedSkip()
    {
        using var dir = new TempDir();
        var path = dir.File("d.jsonl");
        var bad = Encoding.UTF8.GetBytes(Good.Replace("fever", "fev\u0001r"));
        bad[Array.IndexOf(bad, (byte)1)] = 0xC3; // a lead byte followed by 'r'
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes(Good + "\n"), .. bad, (byte)'\n', .. Encoding.UTF8.GetBytes(Good)]);
        var offset = Good.Length + 1 + Good.IndexOf("er.", StringComparison.Ordinal);
        var e = Assert.Throws<Med42Exception>(() => DatasetReader.Read(path));
        Assert.Equal($"{path}: line 2: invalid UTF-8 at byte {offset} (byte 0xC3 starts no valid sequence)", e.Message);
        var r = DatasetReader.Read(path, skipBadLines: true);
        Assert.Equal(2, r.Samples.Count);
        Assert.Equal(1, r.SkippedBadRecords);
        Assert.Equal([e.Message], r.Warnings);
    }

    [Fact]
    public void LoneSurrogateEscapeIsAnErrorOrACountedSkip()
    {
        using var dir = new TempDir();
        var path = dir.File("d.jsonl");
        File.WriteAllText(path, Good + "\n" + Good.Replace("fever", "fev\\udc00er") + "\n");
        var e = Assert.Throws<Med42Exception>(() => DatasetReader.Read(path));
        Assert.Equal($"{path}: line 2: invalid UTF-8 at byte {Good.Length + 1 + Good.IndexOf("er.", StringComparison.Ordinal)} (lone low surrogate escape \\udc00)", e.Message);
        Assert.Equal(1, DatasetReader.Read(path, skipBadLines: true).SkippedBadRecords);
    }

    [Fact]
    public void BadElementOfAJsonArrayIsSkippedAlone()
    {
        using var dir = new TempDir();
        var path = dir.File("d.json");
        var text = "[\n" + Good + ",\n" + Good.Replace("fever", "fev\u0001r") + ",\n" + Good + "\n]";
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[text.IndexOf('\u0001')] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.StartsWith($"{path}: line 3: invalid UTF-8 at byte {text.IndexOf('\u0001')} ", Assert.Throws<Med42Exception>(() => DatasetReader.Read(path)).Message);
        var r = DatasetReader.Read(path, skipBadLines: true);
        Assert.Equal((2, 1), (r.Samples.Count, r.SkippedBadRecords));
    }

    [Fact]
    public void DanglingOrLoopingDataLinkIsNamed()
    {
        using var dir = new TempDir();
        var path = dir.File("d.jsonl");
        File.CreateSymbolicLink(path, dir.File("missing.jsonl"));
        Assert.Equal($"{path}: data file is a dangling symbolic link (its target '{dir.File("missing.jsonl")}' does not exist)",
            Assert.Throws<Med42Exception>(() => DatasetReader.Read(path, skipBadLines: true)).Message);
        File.Delete(path);
        File.CreateSymbolicLink(path, path);
        Assert.StartsWith($"{path}: data file is a symbolic link loop", Assert.Throws<Med42Exception>(() => DatasetReader.Read(path)).Message);
    }
}
