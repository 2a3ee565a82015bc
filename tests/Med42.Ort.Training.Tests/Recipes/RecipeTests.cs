// Every shipped recipe in models/recipes loads and validates; bad recipes name the field.
using Med42.Ort.Core.Errors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Recipes;

public class RecipeTests
{
    // Found from this source file's location: test binaries may live outside the repository (--artifacts-path).
    private static string RecipeDir([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(source)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "recipes");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("models/recipes not found above the test sources");
    }

    public static TheoryData<string> Recipes()
    {
        var data = new TheoryData<string>();
        // Study recipes (*-study.yaml) describe whole studies and are loaded by the study tests.
        foreach (var f in Directory.GetFiles(RecipeDir()).Where(f => !f.EndsWith("-study.yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void ShippedRecipeLoads(string name)
    {
        var o = RecipeLoader.Load(Path.Combine(RecipeDir(), name));
        Assert.NotEmpty(o.Data);
        if (name.StartsWith("llama2-", StringComparison.Ordinal))
        {
            Assert.Equal(4096, o.SeqLen);
            Assert.Equal(Training.Data.TemplateKind.Med42, o.Template);
        }
        Assert.Equal(name.Contains("lora") ? TrainingMode.Lora : TrainingMode.Full, o.Mode);
    }

    [Fact]
    public void ShipsTinyAnd7BAnd70BInBothModes()
    {
        var names = Directory.GetFiles(RecipeDir()).Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var n in new[] { "stories260k-full", "stories260k-lora", "llama2-7b-full", "llama2-7b-lora", "llama2-70b-full", "llama2-70b-lora" })
            Assert.Contains(n, names);
    }

    [Theory]
    [InlineData("lr: -1", "'lr'")]
    [InlineData("batch_size: 0", "'batch_size'")]
    [InlineData("lr_typo: 1", "lr_typo")]
    [InlineData("mode: lora\nlora: {rank: 0}", "'lora.rank'")]
    [InlineData("mode: 2", "$.mode: expected full, lora or qlora")]
    [InlineData("schedule: wavy", "$.schedule: unknown value 'wavy' (expected constant, linear or cosine)")]
    public void BadRecipeNamesTheField(string line, string expected)
    {
        using var d = new TempDir();
        var p = d.File("r.yaml");
        File.WriteAllText(p, "model: m\ndata: [d.jsonl]\nout: o\n" + line + "\n");
        var e = Assert.Throws<Med42Exception>(() => RecipeLoader.Load(p));
        Assert.Contains(expected, e.Message);
    }
}
