// docs/train.md holds the generated reference (every recipe key, its flag, default and description; the output
// layout) exactly as TrainReference renders it from the code, so the doc cannot drift from TrainOptions.
// MED42_UPDATE_DOCS=1 rewrites the generated block instead of failing.
using System.Reflection;
using System.Text.Json;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Tests;

public sealed class TrainDocTests
{
    private static string RepoFile(string relative)
    {
        var root = typeof(TrainDocTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Med42RepositoryRoot").Value!;
        return Path.Combine(root, relative);
    }

    [Fact]
    public void TrainMdHoldsTheGeneratedReference()
    {
        var path = RepoFile("docs/train.md");
        var text = File.ReadAllText(path);
        var begin = text.IndexOf(TrainReference.Begin, StringComparison.Ordinal);
        var end = text.IndexOf(TrainReference.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/train.md lacks the generated block markers");
        var block = text[begin..(end + TrainReference.End.Length)];
        var expected = TrainReference.Markdown();
        if (block != expected && Environment.GetEnvironmentVariable("MED42_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..begin] + expected + text[(end + TrainReference.End.Length)..]);
            return;
        }
        Assert.Equal(expected, block);
    }

    [Fact]
    public void EveryRecipeKeyIsDocumentedWithItsDefault()
    {
        var keys = TrainReference.Keys();
        // Every key a recipe can hold: the recipe serialisation of TrainOptions (settable properties), nested records flattened.
        var lora = JsonSerializer.SerializeToNode(new TrainOptions(), TrainReference.RecipeJson)!["lora"]!.AsObject();
        Assert.All(lora, kv => Assert.Contains(keys, k => k.Key == "lora." + kv.Key));
        foreach (var (key, _, flag) in keys)
            Assert.True(flag is not null || TrainReference.RecipeOnly.ContainsKey(key), $"recipe key {key} has neither a flag nor a description");
        Assert.All(TrainReference.RecipeOnly.Keys, k => Assert.Contains(keys, x => x.Key == k && x.Flag is null));
        var defaults = new TrainOptions();
        Assert.Contains(keys, k => k.Key == "lr" && k.Default == defaults.Lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture) && k.Flag == "lr");
        Assert.Contains(keys, k => k.Key == "lora.rank" && k.Default == defaults.Lora.Rank.ToString() && k.Flag == "lora-rank");
        Assert.Contains(keys, k => k.Key == "beta2" && k.Default == defaults.Beta2.ToString("R", System.Globalization.CultureInfo.InvariantCulture) && k.Flag is null);
        Assert.Contains(keys, k => k.Key == "skip_bad_lines" && k.Flag == "skip-bad");
    }

    [Fact]
    public void EveryShippedTrainingRecipeUsesOnlyDocumentedKeys()
    {
        var documented = TrainReference.Keys().Select(k => k.Key).ToHashSet();
        var recipes = Directory.GetFiles(RepoFile("models/recipes"), "*.yaml").Where(f => !f.EndsWith("-study.yaml", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(recipes);
        foreach (var recipe in recipes)
        {
            var node = JsonNode(RecipeLoader.ReadJson(recipe, "recipe"));
            foreach (var key in Flatten(node, "")) Assert.True(documented.Contains(key), $"{recipe}: key {key} is not in docs/train.md");
        }
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();

    private static IEnumerable<string> Flatten(System.Text.Json.Nodes.JsonObject node, string prefix) =>
        node.SelectMany(kv => kv.Value is System.Text.Json.Nodes.JsonObject inner ? Flatten(inner, prefix + kv.Key + ".") : [prefix + kv.Key]);
}
