// Flags over recipes (FlagOverlay), for every verb that has a recipe record: each flag overrides exactly the
// key it declares and nothing else, flags not given keep the recipe's values (switches included), and a bad
// value is blamed on the flag that set it, never on the recipe file. The records are compared as the JSON their
// recipes are written in, so the expected keys come from the serializer, not from this file.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;
using Med42.Ort.Core.Errors;
using Med42.Ort.Study.Pipeline;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Tests;

public sealed class FlagOverlayTests
{
    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = Path.GetDirectoryName(source);
        while (dir is not null && !File.Exists(Path.Combine(dir, "Med42.Ort.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root not found above " + source);
    }

    private static string Recipe => Path.Combine(RepoRoot(), "models", "recipes", "stories260k-lora.yaml");

    /// <summary>Every verb with a recipe record, and the record its flags go over.</summary>
    public static TheoryData<string> Verbs => new() { "train", "export-artifacts", "study" };

    private static (object Command, object Recipe) Fixture(string verb) => verb switch
    {
        "train" => (new TrainCommand(), RecipeLoader.Parse(Recipe)),
        "export-artifacts" => (new ExportArtifactsCommand(), new TrainOptions()),
        "study" => (new StudyCommand(), StudyDefaults.Embedded()),
        _ => throw new ArgumentOutOfRangeException(nameof(verb)),
    };

    /// <summary>The settable values of a record by snake_case key path ("lora.rank"), as JSON; nested records are walked, lists are leaves.</summary>
    private static Dictionary<string, JsonNode?> Flatten(object record)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        void Walk(object? value, Type type, string prefix)
        {
            if (value is not null && type.GetMethod("<Clone>$") is not null)
                foreach (var p in type.GetProperties().Where(p => p.SetMethod is not null))
                    Walk(p.GetValue(value), p.PropertyType, (prefix.Length == 0 ? "" : prefix + ".") + JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
            else leaves[prefix] = JsonSerializer.SerializeToNode(value, type, RecipeLoader.Json);
        }
        Walk(record, record.GetType(), "");
        return leaves;
    }

    private static object? Get(object record, IEnumerable<string> path) =>
        path.Aggregate<string, object?>(record, (o, p) => o?.GetType().GetProperty(p)!.GetValue(o));

    /// <summary>A value of the flag's type that differs from the recipe's current value.</summary>
    private static object Different(PropertyInfo flag, object? current)
    {
        var type = Nullable.GetUnderlyingType(flag.PropertyType) ?? flag.PropertyType;
        if (type == typeof(string)) return "set-by-" + flag.Name;
        if (type == typeof(int)) return (int)(current ?? 0) + 3;
        if (type == typeof(double)) return (double)(current ?? 0.0) + 0.25;
        if (type == typeof(ulong)) return (ulong)current! + 7;
        if (type == typeof(bool))
        {
            if (flag.PropertyType == typeof(bool)) Assert.False((bool)current!, $"{flag.Name}: a switch can only be tested over a recipe value of false");
            return !(bool)current!;
        }
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().First(v => !v.Equals(current));
        if (type == typeof(IEnumerable<string>)) return current is IEnumerable<string> l && l.Contains("k_proj") ? new[] { "o_proj" } : new[] { "k_proj" };
        throw new InvalidOperationException($"{flag.Name}: no test value for {type}");
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void EachFlagOverridesExactlyItsKey(string verb)
    {
        var bindings = FlagOverlay.Of(Fixture(verb).Command).Bindings;
        Assert.NotEmpty(bindings);
        foreach (var binding in bindings)
        {
            var (command, recipe) = Fixture(verb);
            var flag = command.GetType().GetProperties().Single(p => p.GetCustomAttribute<CommandLine.OptionAttribute>()?.LongName == binding.Flag);
            var value = Different(flag, Get(recipe, binding.Path));
            flag.SetValue(command, value);
            var before = Flatten(recipe);
            var after = Flatten(FlagOverlay.Of(command).Apply(recipe));
            var changed = after.Keys.Where(k => !JsonNode.DeepEquals(before.GetValueOrDefault(k), after[k])).ToList();
            Assert.True(changed.SequenceEqual([binding.Key]), $"--{binding.Flag} changed [{string.Join(", ", changed)}], expected [{binding.Key}]");
            Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(value, RecipeLoader.Json), after[binding.Key]), $"--{binding.Flag}: {after[binding.Key]}");
            Assert.True(Flatten(recipe).Keys.All(k => JsonNode.DeepEquals(before[k], Flatten(recipe)[k])), "the recipe itself is not changed");
        }
    }

    /// <summary>A flag is named as its recipe key with '-' for '_' and '.' (--lora-rank sets lora.rank), so users learn one vocabulary.</summary>
    [Theory]
    [MemberData(nameof(Verbs))]
    public void FlagNamesSpellTheirKeys(string verb)
    {
        // study --limit caps benchmark documents as eval --limit does; its key lives under eval. train --skip-bad is
        // named as eval's flag for the same behaviour; the recipe key keeps its older name so existing recipes load.
        var exceptions = new HashSet<(string, string)> { ("limit", "eval.limit"), ("skip-bad", "skip_bad_lines") };
        foreach (var b in FlagOverlay.Of(Fixture(verb).Command).Bindings.Where(b => !exceptions.Contains((b.Flag, b.Key))))
            Assert.Equal(b.Key.Replace('.', '-').Replace('_', '-'), b.Flag);
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void FlagsNotGivenKeepTheRecipe(string verb)
    {
        var (command, recipe) = Fixture(verb);
        var after = Flatten(FlagOverlay.Of(command).Apply(recipe));
        var before = Flatten(recipe);
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before.Keys, k => Assert.True(JsonNode.DeepEquals(before[k], after[k]), k));
    }

    [Fact]
    public void SwitchesOnlyTurnOnAndNullableBoolsSetEitherWay()
    {
        var recipe = RecipeLoader.Parse(Recipe) with { SkipBadLines = true, GradientCheckpointing = true, Packing = true };
        var off = FlagOverlay.Of(new TrainCommand()).Apply(recipe); // a switch left off is "not given"
        Assert.True(off.SkipBadLines && off.GradientCheckpointing && off.Packing);
        var given = FlagOverlay.Of(new TrainCommand { Packing = false }).Apply(recipe with { SkipBadLines = false });
        Assert.False(given.Packing);
        Assert.True(FlagOverlay.Of(new TrainCommand { SkipBad = true }).Apply(recipe with { SkipBadLines = false }).SkipBadLines);
    }

    [Fact]
    public void FlagErrorsNameTheFlagAndRecipeErrorsTheRecipe()
    {
        using var dir = new TempDir();
        var flag = Assert.Throws<Med42Exception>(() => new TrainCommand { Config = Recipe, Lr = -1 }.Options());
        Assert.Equal("--lr must be positive, got -1", flag.Message);
        var lora = Assert.Throws<Med42Exception>(() => new TrainCommand { Config = Recipe, LoraRank = 0 }.Options());
        Assert.Equal("--lora-rank must be in 1..4096, got 0", lora.Message);

        var bad = dir.File("bad.yaml");
        File.WriteAllText(bad, File.ReadAllText(Recipe).Replace("lr: 3.0e-3", "lr: -3.0e-3", StringComparison.Ordinal));
        var recipe = Assert.Throws<Med42Exception>(() => new TrainCommand { Config = bad, Epochs = 2 }.Options());
        Assert.StartsWith(bad + ": 'lr' must be positive", recipe.Message);

        // Without a recipe every key a flag sets is the flag's, given or not.
        Assert.Equal("--model is required", Assert.Throws<Med42Exception>(() => new TrainCommand().Options()).Message);
        Assert.Equal("--limit must be positive, got 0", Assert.Throws<Med42Exception>(() => new StudyCommand { Out = dir.Path, Limit = 0 }.Options()).Message);
        var study = dir.File("s-study.yaml");
        File.WriteAllText(study, "base: embedded\nruns:\n  - {name: base, kind: base}\n");
        var missing = Assert.Throws<Med42Exception>(() => new StudyCommand { Config = study, Base = dir.File("nope") }.Options());
        Assert.StartsWith("--base checkpoint not found", missing.Message);
        Assert.DoesNotContain(study, missing.Message);
    }

    [Fact]
    public void ExportArtifactsTakesTheTrainingGraphFlags()
    {
        var o = new ExportArtifactsCommand
        {
            Mode = Training.Artifacts.TrainingMode.Qlora, Int4BlockSize = 64, Kernels = Llama.Graphs.LlamaKernels.Native,
            GradientCheckpointing = true, Seed = 7, LoraRank = 4, LoraTargets = ["q_proj", "o_proj"],
        }.Options();
        var a = o.ToArtifactOptions();
        Assert.Equal((64, Llama.Graphs.LlamaKernels.Native, true, 7UL), (a.Int4BlockSize, a.Kernels, a.GradientCheckpointing, a.Seed));
        Assert.Equal((4, 16.0), (o.Lora.Rank, o.Lora.Alpha)); // alpha keeps LoraConfig's default
        Assert.Equal(["q_proj", "o_proj"], o.Lora.Targets);
        var e = Assert.Throws<Med42Exception>(() => new ExportArtifactsCommand { Mode = Training.Artifacts.TrainingMode.Qlora, Int4BlockSize = 48 }.Options());
        Assert.Equal("--int4-block-size must be one of 16, 32, 64, 128, got 48", e.Message);
    }
}
