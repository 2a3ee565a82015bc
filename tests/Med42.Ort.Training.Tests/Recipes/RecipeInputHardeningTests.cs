// Recipe files under the text-input policy, with YAML's expansion bounded: invalid UTF-8, a lone
// surrogate from a "\uD800" escape, an alias bomb, nesting deeper than any recipe, a number beyond the
// float64 range and a non-scalar mapping key are each a one-line Med42Exception naming the file and line.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Recipes;

public class RecipeInputHardeningTests
{
    private const string Minimal = "model: m\ndata: [d.jsonl]\nout: o\n";

    private static string Refused(string yaml, string name = "r.yaml")
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(yaml));
        var e = Assert.Throws<Med42Exception>(() => RecipeLoader.Load(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message[(path.Length + 2)..];
    }

    [Fact]
    public void InvalidUtf8IsRefusedAtItsByte()
    {
        using var dir = new TempDir();
        var path = dir.File("r.yaml");
        var bytes = Encoding.UTF8.GetBytes(Minimal + "system_prompt: caf?\n");
        bytes[Array.LastIndexOf(bytes, (byte)'?')] = 0xE9; // Latin-1 é, not UTF-8
        File.WriteAllBytes(path, bytes);
        Assert.Equal($"{path}: line 4: invalid UTF-8 at byte {Minimal.Length + 18} (byte 0xE9 starts no valid sequence)",
            Assert.Throws<Med42Exception>(() => RecipeLoader.Load(path)).Message);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\U0000DC00")]
    [InlineData("\\ud83d\\u0041")]
    public void LoneSurrogateEscapeIsRefused(string escape) =>
        Assert.StartsWith("line 4: ", Refused(Minimal + $"system_prompt: \"a{escape}b\"\n"));

    [Fact]
    public void JsonRecipeWithLoneSurrogateIsRefused() =>
        Assert.StartsWith("line 1: invalid UTF-8 at byte 16 (lone high surrogate escape \\ud800)",
            Refused("""{"model": "m", "\ud800": 1}""", "r.json"));

    [Fact]
    public void AliasBombIsRefused()
    {
        var yaml = new StringBuilder(Minimal + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++) yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        Assert.Matches(@"^line \d+: the recipe expands to more than 100000 nodes", Refused(yaml.ToString()));
    }

    [Fact]
    public void DeepNestingIsRefused() =>
        Assert.Equal("line 1: nested more than 64 levels deep", Refused(Minimal + "x: " + new string('[', 5000) + new string(']', 5000) + "\n"));

    [Fact]
    public void NumberBeyondFloat64IsRefused() =>
        Assert.Equal("line 4: number '1e400' is out of the float64 range", Refused(Minimal + "lr: 1e400\n"));

    [Fact]
    public void NonScalarKeyIsRefused() =>
        Assert.Equal("line 4: a mapping key must be a plain scalar", Refused(Minimal + "? [a, b]\n: 1\n"));
}
