// `med42 data check DIR` against ../shared/data (which ships dev splits only: every test file is missing and its dev
// stand-in is named, with the record counts MANIFEST.md gives), a folder in the standard layout, and broken copies.
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public sealed class DataCheckTests
{
    private static string SharedRoot() => Path.GetDirectoryName(SharedData.Path("MANIFEST.md"))!;

    [SkippableFact]
    public void SharedDataHasDevStandInsForEveryTask()
    {
        var findings = DataFolderCheck.Run(SharedRoot()).ToDictionary(f => f.Task);
        // Record counts from shared/data/MANIFEST.md §3.
        var expected = new Dictionary<string, int> { ["medqa_4options"] = 1272, ["medmcqa"] = 300, ["pubmedqa"] = 500 };
        foreach (var subject in MmluTask.MedicalSubjects) expected["mmlu_" + subject] = 5;
        foreach (var (task, count) in expected)
        {
            var f = findings[task];
            Assert.Equal((DataStatus.Missing, true, count), (f.Status, f.Required, f.AlternateDocuments));
            Assert.Equal(Path.Combine(EvalDataLayout.DevAlternates[task]), f.Alternate);
        }
        Assert.All(MmluTask.MedicalSubjects, s => Assert.Equal((DataStatus.Ok, 5), (findings[$"mmlu_{s} few-shot"].Status, findings[$"mmlu_{s} few-shot"].Documents)));
    }

    [SkippableFact]
    public void StandardLayoutPassesAndBrokenCopiesAreNamed()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "data");
        StandardCopy(SharedRoot(), root);
        var (code, stdout, stderr) = Med42Process.Run("data", "check", root);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("ok       medqa", stdout);
        Assert.Contains("every benchmark task is ready", stdout);

        // Break it: a MedQA record without options, and no anatomy test CSV.
        File.WriteAllText(Path.Combine(root, "medqa", "test.jsonl"), "{\"question\": \"q\", \"answer_idx\": \"A\"}\n");
        File.Delete(Path.Combine(root, "mmlu", "test", "anatomy_test.csv"));
        var findings = DataFolderCheck.Run(root).ToDictionary(f => f.Task);
        Assert.Equal(DataStatus.Invalid, findings["medqa_4options"].Status);
        Assert.Contains("test.jsonl", findings["medqa_4options"].Problem);
        Assert.Equal(DataStatus.Missing, findings["mmlu_anatomy"].Status);
        Assert.Equal(Path.Combine("mmlu", "dev", "anatomy_dev.csv"), findings["mmlu_anatomy"].Alternate); // the dev CSV is offered as the stand-in
        Assert.Equal(DataStatus.Ok, findings["medmcqa"].Status);
        (code, stdout, _) = Med42Process.Run("data", "check", root);
        Assert.Equal(1, code);
        Assert.Contains("2 of 9 tasks not ready (medqa_4options, mmlu_anatomy)", stdout);
    }

    [Fact]
    public void AFileOrAnUnknownActionIsOneErrorLine()
    {
        using var dir = new TempDir();
        var file = dir.File("x.jsonl");
        File.WriteAllText(file, "");
        var (code, _, stderr) = Med42Process.Run("data", "check", file);
        Assert.Equal((2, $"med42: error: {file}: is a file; expected the benchmark folder\n"), (code, stderr));
        (code, _, stderr) = Med42Process.Run("data", "chekc", dir.Path);
        Assert.Equal((2, "med42: error: data: unknown action 'chekc' (expected check)\n"), (code, stderr));
    }

    // The docs/data.md layout built from shared/data's dev files (standing in for the test splits).
    private static void StandardCopy(string shared, string root)
    {
        void Copy(string from, params string[] to)
        {
            var target = Path.Combine([root, .. to]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(shared, from), target);
        }
        Copy("medqa/phrases_no_exclude_dev.jsonl", "medqa", "test.jsonl");
        Copy("medmcqa/dev_sample300.json", "medmcqa", "dev.json");
        Copy("pubmedqa/pqal_dev500.json", "pubmedqa", "test.json");
        foreach (var s in MmluTask.MedicalSubjects)
        {
            Copy($"mmlu/dev/{s}_dev.csv", "mmlu", "test", $"{s}_test.csv");
            Copy($"mmlu/dev/{s}_dev.csv", "mmlu", "dev", $"{s}_dev.csv");
        }
    }
}

public sealed class DataDocTests
{
    /// <summary>docs/data.md names every file the layout reads and every dev stand-in, as the code spells them.</summary>
    [Fact]
    public void DataMdNamesEveryPathTheCodeReads()
    {
        var root = typeof(DataDocTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "Med42RepositoryRoot").Value!;
        var doc = File.ReadAllText(Path.Combine(root, "docs", "data.md"));
        var layout = new EvalDataLayout("DIR");
        string Slash(string p) => p.Replace('\\', '/');
        foreach (var path in new[] { layout.MedQa, layout.MedMcqa, layout.MmluTest("{subject}"), layout.MmluDev("{subject}"),
                     Path.Combine("DIR", "pubmedqa", "ori_pqal.json"), Path.Combine("DIR", "pubmedqa", "test_ground_truth.json"), Path.Combine("DIR", "pubmedqa", "test.json") })
            Assert.Contains(Slash(path), doc);
        foreach (var (task, alternate) in EvalDataLayout.DevAlternates.Where(kv => !kv.Key.StartsWith("mmlu_", StringComparison.Ordinal)))
            Assert.Contains(string.Join("/", alternate), doc);
        Assert.Contains("mmlu/dev/{subject}_dev.csv", doc);
        Assert.All(MmluTask.MedicalSubjects, s => Assert.Contains(s, doc));
    }
}
