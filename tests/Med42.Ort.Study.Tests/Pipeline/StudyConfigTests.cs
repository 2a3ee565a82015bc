// Bad study configurations fail before any work starts, naming the field;
// and every shipped study recipe (models/recipes/*-study.yaml) loads and validates.
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Study.Pipeline;

namespace Med42.Ort.Study.Tests.Pipeline;

public sealed class StudyConfigTests
{
    private static StudyConfig Valid(string outDir) => StudyDefaults.Embedded(quick: true) with { Out = outDir };

    [Fact]
    public void EmbeddedDefaultsValidate()
    {
        using var tmp = new TempDir();
        Valid(tmp.Path).Validate();
        StudyDefaults.Embedded(quick: false).Validate();
        // The default compares the base with full and at least two LoRA ranks (the study's question is full vs LoRA and how rank matters).
        var runs = StudyDefaults.Embedded().Runs;
        Assert.Contains(runs, r => r.Kind == RunKind.Base);
        Assert.Contains(runs, r => r.Kind == RunKind.Full);
        Assert.True(runs.Where(r => r.Kind == RunKind.Lora).Select(r => r.Lora!.Rank).Distinct().Count() >= 2);
    }

    [Fact]
    public void UnknownOrMissingRunKindNamesTheField()
    {
        using var tmp = new TempDir();
        var path = tmp.File("k-study.yaml");
        File.WriteAllText(path, "runs:\n  - {name: x, kind: qlora}\n");
        var e = Assert.Throws<Med42Exception>(() => StudyConfigLoader.Parse(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("runs[0].kind", e.Message);
        Assert.Contains("'qlora' (expected base, full or lora)", e.Message);
        File.WriteAllText(path, "runs:\n  - {name: x, kind: 1}\n");
        Assert.Contains("runs[0].kind", Assert.Throws<Med42Exception>(() => StudyConfigLoader.Parse(path)).Message); // numbers are not kinds
        File.WriteAllText(path, "runs:\n  - {name: x}\n");
        Assert.Contains("kind", Assert.Throws<Med42Exception>(() => StudyConfigLoader.Parse(path)).Message);
    }

    [Fact]
    public void McqStylesKeepTheirRecipeSpellings()
    {
        using var tmp = new TempDir();
        var path = tmp.File("s-study.yaml");
        File.WriteAllText(path, "eval: {mcq_style: 'text_mi, chat_letter,letter'}\nruns:\n  - {name: base, kind: base}\n");
        var c = StudyConfigLoader.Parse(path);
        Assert.Equal([McqStyle.TextMutualInfo, McqStyle.ChatLetter, McqStyle.Letter], c.Eval.McqStyles);
        Assert.Contains("\"mcq_style\": \"text_mi,chat_letter,letter\"", StudyConfigLoader.ToJson(c));
        Assert.Equal("study_heldin@chat_letter", McqStyleExtensions.TaskName("study_heldin", McqStyle.ChatLetter, c.Eval.McqStyles));
        Assert.Equal("study_heldin", McqStyleExtensions.TaskName("study_heldin", McqStyle.TextMutualInfo, c.Eval.McqStyles));
        File.WriteAllText(path, "eval: {mcq_style: 'text,mutual'}\nruns: []\n");
        var e = Assert.Throws<Med42Exception>(() => StudyConfigLoader.Parse(path));
        Assert.Contains("eval.mcq_style", e.Message);
        Assert.Contains("'mutual' (expected letter, text, text_mi, chat or chat_letter)", e.Message);
        var twice = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Eval = new EvalConfig { McqStyles = [McqStyle.Text, McqStyle.Text] } }).Validate("cfg.yaml"));
        Assert.Contains("'eval.mcq_style'", twice.Message);
    }

    /// <summary>
    /// Enum fields are written with the spellings recipes use (base/full/lora, text_mi, cpu): the stage fingerprints
    /// hash this JSON, so a spelling change would silently rerun every finished stage of an existing study folder.
    /// </summary>
    [Fact]
    public void ConfigJsonSpellsEnumsAsRecipesDo()
    {
        var json = StudyConfigLoader.ToJson(StudyDefaults.Embedded());
        Assert.Contains("\"device\": \"cpu\"", json);
        Assert.Contains("\"mcq_style\": \"text_mi,text,letter\"", json);
        foreach (var kind in new[] { "base", "full", "lora" }) Assert.Contains($"\"kind\": \"{kind}\"", json);
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("round-study.json"), json);
        Assert.Equal(json, StudyConfigLoader.ToJson(StudyConfigLoader.Parse(tmp.File("round-study.json"))));
    }

    [Fact]
    public void MissingBaseNamesTheField()
    {
        using var tmp = new TempDir();
        var empty = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Base = "" }).Validate());
        Assert.Contains("'base'", empty.Message);
        var missing = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Base = tmp.File("nope.bin") }).Validate());
        Assert.Contains("'base'", missing.Message);
        Assert.Contains("nope.bin", missing.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void NonPositiveRankNamesTheField(int rank)
    {
        using var tmp = new TempDir();
        var c = Valid(tmp.Path) with
        {
            Runs = [new StudyRun { Name = "base", Kind = RunKind.Base }, new StudyRun { Name = "l", Kind = RunKind.Lora, MaxSteps = 2, Lora = new LoraConfig { Rank = rank } }],
        };
        var e = Assert.Throws<Med42Exception>(() => c.Validate());
        Assert.Contains("runs[1].lora.rank", e.Message);
    }

    [Fact]
    public void EmptyOrMissingDataNamesTheField()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("empty.jsonl"), "\n  \n");
        var empty = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Instruct = [tmp.File("empty.jsonl")] }).Validate());
        Assert.Contains("instruct[0]", empty.Message);
        Assert.Contains("empty", empty.Message);
        File.WriteAllText(tmp.File("array.json"), "[ ]");
        var emptyArray = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Instruct = [tmp.File("array.json")] }).Validate());
        Assert.Contains("instruct[0]", emptyArray.Message);
        var missing = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Instruct = [tmp.File("gone.jsonl")] }).Validate());
        Assert.Contains("instruct[0]", missing.Message);
        var noRuns = Assert.Throws<Med42Exception>(() => (Valid(tmp.Path) with { Runs = [] }).Validate());
        Assert.Contains("'runs'", noRuns.Message);
    }

    [Fact]
    public void BadConfigFailsBeforeAnyWork()
    {
        using var tmp = new TempDir();
        var outDir = Path.Combine(tmp.Path, "out");
        var c = Valid(outDir) with { Runs = [new StudyRun { Name = "x", Kind = RunKind.Full, Lr = -1 }] };
        Assert.Throws<Med42Exception>(() => StudyPipeline.Run(c));
        Assert.False(Directory.Exists(outDir), "no stage may run (or create the output folder) when the config is invalid");
    }

    [Fact]
    public void YamlRecipeLoadsStrictly()
    {
        using var tmp = new TempDir();
        var path = tmp.File("t-study.yaml");
        File.WriteAllText(path, """
            base: embedded
            out: runs/x
            seq_len: 64
            runs:
              - {name: base, kind: base}
              - name: lora8
                kind: lora
                max_steps: 5
                lora: {rank: 8, alpha: 16, targets: [q_proj, v_proj]}
            """);
        var c = StudyConfigLoader.Load(path);
        Assert.Equal(64, c.SeqLen);
        Assert.Equal(8, c.Runs[1].Lora!.Rank);
        Assert.Equal(["q_proj", "v_proj"], c.Runs[1].Lora!.Targets);

        File.WriteAllText(path, "base: embedded\nrunz: []\n");
        var e = Assert.Throws<Med42Exception>(() => StudyConfigLoader.Load(path));
        Assert.Contains("runz", e.Message);
    }

    /// <summary>Every models/recipes/*-study.yaml (only study recipes: the others are training recipes) parses and validates once its base exists.</summary>
    [Fact]
    public void EveryShippedStudyRecipeLoads()
    {
        var root = RepoRoot();
        var recipes = Directory.GetFiles(Path.Combine(root, "models", "recipes"), "*" + StudyConfigLoader.RecipeSuffix).Order().ToList();
        Assert.True(recipes.Count >= 2, "med42-7b-study.yaml and med42-70b-study.yaml must ship");
        using var tmp = new TempDir();
        foreach (var path in recipes)
        {
            var c = StudyConfigLoader.Parse(path);
            Assert.Equal(Med42.Ort.Runtime.Device.Cuda, c.Device);
            Assert.Equal(4096, c.SeqLen);
            Assert.Contains(c.Runs, r => r.Kind == RunKind.Full);
            Assert.Contains(c.Runs, r => r.Kind == RunKind.Lora && r.Lora!.Rank == 16);
            // The checkpoint and data paths are placeholders for a GPU box: point them at stand-ins to validate the rest.
            var data = tmp.File(Path.GetFileName(path) + ".jsonl");
            File.WriteAllText(data, "{\"instruction\":\"q\",\"output\":\"a\"}\n");
            var standIn = c with { Base = tmp.Path, Instruct = c.Instruct.Select(_ => data).ToList(), DataDir = c.DataDir is null ? null : tmp.Path };
            standIn.Validate(path);
        }
    }

    // From this source file's path: the test binaries may live under any --artifacts-path.
    internal static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = Path.GetDirectoryName(source);
        while (dir is not null && !File.Exists(Path.Combine(dir, "Med42.Ort.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root (Med42.Ort.sln) not found above " + source);
    }
}
