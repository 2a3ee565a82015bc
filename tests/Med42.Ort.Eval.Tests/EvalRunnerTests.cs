// End-to-end runs of EvalRunner over a data folder laid out (in a temp dir) from ../shared/data,
// with fake scorers: one that prefers the gold answer must give acc 1.0 everywhere; a seeded random
// one must give near-chance accuracy and the Bernoulli stderr sqrt(p(1-p)/(n-1)).
using System.Text.Json;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Reports;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Eval.Tests.Fakes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class EvalRunnerTests
{
    /// <summary>The documented --data-dir layout built from the shared dev files (MMLU dev doubles as test).</summary>
    internal static void LayOut(string root)
    {
        void Copy(string shared, params string[] target)
        {
            var dest = Path.Combine([root, .. target]);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(SharedData.Path(shared), dest);
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

    private static readonly Dictionary<string, int> Sizes = new()
    {
        ["medqa_4options"] = 1272, ["medmcqa"] = 300, ["pubmedqa"] = 500,
        ["mmlu_anatomy"] = 5, ["mmlu_clinical_knowledge"] = 5, ["mmlu_college_biology"] = 5,
        ["mmlu_college_medicine"] = 5, ["mmlu_medical_genetics"] = 5, ["mmlu_professional_medicine"] = 5,
    };

    /// <summary>Gold flags in the runner's request order (tasks in group order, docs, choices).</summary>
    private static List<bool> GoldFlags(string dataDir, int? limit)
    {
        var registry = new TaskRegistry(new EvalDataLayout(dataDir));
        var flags = new List<bool>();
        foreach (var name in registry.Expand(["medical"]).Tasks)
        {
            var docs = registry.Create(name).LoadDocs(new BadDataLog(false));
            foreach (var d in docs.Take(limit ?? int.MaxValue))
                flags.AddRange(d.Choices.Select((_, i) => i == d.Gold));
        }
        return flags;
    }

    [SkippableFact]
    public void GoldScorer_AccOneEverywhere_AndWritesOutputs()
    {
        using var data = new TempDir();
        using var output = new TempDir();
        LayOut(data.Path);
        var scorer = new GoldScorer(GoldFlags(data.Path, null));
        var progress = new List<EvalProgress>();
        var report = new EvalRunner(scorer, new FakeTokenizer()).Run(
            new EvalOptions { Tasks = ["medical"], DataDir = data.Path, OutputDir = output.Path, ModelName = "fake", LogSamples = true },
            new SyncProgress(progress));

        Assert.Equal(Sizes.Keys, report.Tasks.Select(t => t.Task));
        foreach (var t in report.Tasks)
        {
            Assert.Equal(Sizes[t.Task], t.Metrics.N);
            Assert.Equal(1.0, t.Metrics.Acc.Mean);
            Assert.Equal(1.0, t.Metrics.AccNorm.Mean);
            Assert.Equal(0.0, t.Metrics.Acc.Stderr);
        }
        // medical holds the mmlu_medical subgroup, reported first (children before parents).
        Assert.Equal(["mmlu_medical", "medical"], report.Groups.Select(g => g.Name));
        Assert.Equal(("medical", 2102, 1.0), (report.Groups[1].Name, report.Groups[1].N, report.Groups[1].Acc.Mean));
        Assert.Equal(30, report.Groups[0].N);

        // Progress counts questions, never goes backwards, ends at the total.
        Assert.Equal(2102, progress[^1].QuestionsDone);
        Assert.All(progress, p => Assert.Equal(2102, p.QuestionsTotal));
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.Second.QuestionsDone >= p.First.QuestionsDone));

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "results.json")));
        var harnessMedqa = results.RootElement.GetProperty("results").GetProperty("medqa_4options");
        Assert.Equal(1.0, harnessMedqa.GetProperty("acc,none").GetDouble());
        Assert.Equal(1272, harnessMedqa.GetProperty("sample_len").GetInt32());
        Assert.Equal(2102, results.RootElement.GetProperty("groups").GetProperty("medical").GetProperty("sample_len").GetInt32());
        // This project's own record, as results.json held it before the harness layout, under "med42".
        var own = results.RootElement.GetProperty(ResultsWriter.ProjectKey);
        var medqa = own.GetProperty("results").GetProperty("medqa_4options");
        Assert.Equal(1.0, medqa.GetProperty("acc").GetDouble());
        Assert.Equal(1272, medqa.GetProperty("n").GetInt32());
        Assert.Equal(0.0, medqa.GetProperty("acc_norm_stderr").GetDouble());
        Assert.Equal(2102, own.GetProperty("groups").GetProperty("medical").GetProperty("n").GetInt32());
        var config = own.GetProperty("config");
        Assert.Equal("fake", config.GetProperty("model").GetString());
        Assert.Equal(PromptTemplates.Version, config.GetProperty("template_version").GetString());
        Assert.Equal("letter", config.GetProperty("mmlu_style").GetString());
        Assert.True(config.GetProperty("bos").GetBoolean());
        Assert.Equal("1.0", config.GetProperty("versions").GetProperty("pubmedqa").GetString());

        var samples = File.ReadAllLines(Path.Combine(output.Path, "samples_medmcqa.jsonl"));
        Assert.Equal(300, samples.Length);
        using var first = JsonDocument.Parse(samples[0]);
        Assert.Equal(0, first.RootElement.GetProperty("doc_id").GetInt32());
        Assert.Equal("45258d3d-b974-44dd-a161-c3fccbdadd88", first.RootElement.GetProperty("doc").GetProperty("id").GetString());
        Assert.Equal("0", first.RootElement.GetProperty("target").GetString());
        // The gold scorer gives the gold choice log-likelihood 0 and the others -1 (Python str(float)).
        Assert.Equal(["0.0", "-1.0", "-1.0", "-1.0"], first.RootElement.GetProperty("filtered_resps").EnumerateArray().Select(e => e[0].GetString()));
        Assert.Equal(1.0, first.RootElement.GetProperty("acc").GetDouble());
        Assert.StartsWith("Question: Which of the following is not true for myelinated",
            first.RootElement.GetProperty("arguments").GetProperty("gen_args_0").GetProperty("arg_0").GetString());

        var md = File.ReadAllText(Path.Combine(output.Path, "results.md"));
        Assert.Equal(report.Markdown, md);
        Assert.Contains("| medqa_4options | 1.0 | 0 | 1272 | 1.0000 | 0.0000 | 1.0000 | 0.0000 |", md);
        Assert.Empty(Directory.GetFiles(output.Path, "*.tmp"));
    }

    [SkippableFact]
    public void RandomScorer_NearChance_StderrConsistentWithN()
    {
        using var data = new TempDir();
        LayOut(data.Path);
        var report = new EvalRunner(new RandomScorer(seed: 42), new FakeTokenizer())
            .Run(new EvalOptions { Tasks = ["medqa_4options,medmcqa,pubmedqa"], DataDir = data.Path });
        foreach (var t in report.Tasks)
        {
            var (n, p) = (t.Metrics.N, t.Metrics.Acc.Mean);
            // A 0/1 metric's sample stderr is exactly sqrt(p(1-p)/(n-1)); 1e-12 covers summation rounding.
            Assert.Equal(Math.Sqrt(p * (1 - p) / (n - 1)), t.Metrics.Acc.Stderr!.Value, 1e-12);
            var chance = 1.0 / (t.Task == "pubmedqa" ? 3 : 4);
            // Seeded, so deterministic; 5 binomial sigmas around chance is a loose sanity bound.
            Assert.InRange(p, chance - 5 * Math.Sqrt(chance * (1 - chance) / n), chance + 5 * Math.Sqrt(chance * (1 - chance) / n));
        }
        Assert.Empty(report.Groups); // no group was named
    }

    [SkippableFact]
    public void Limit_FewShot_AndSkipBadAreRecorded()
    {
        using var data = new TempDir();
        LayOut(data.Path);
        var extra = data.File("extra.jsonl");
        File.WriteAllText(extra, """{"question": "q", "choices": ["a", "b"], "answer": 0}""" + "\n" + """{"question": "q", "choices": ["a"], "answer": 0}""");
        var report = new EvalRunner(new RandomScorer(1), new FakeTokenizer()).Run(new EvalOptions
        {
            Tasks = ["mmlu_medical", "extra"],
            DataDir = data.Path,
            TaskFiles = new Dictionary<string, string> { ["extra"] = extra },
            TaskOptions = new TaskOptions { NumFewshot = 1 },
            Limit = 2,
            SkipBad = true,
        });
        Assert.Equal([.. TaskRegistry.MmluTaskNames, "extra"], report.Tasks.Select(t => t.Task));
        Assert.All(report.Tasks.Take(6), t => Assert.Equal((2, 1, 5), (t.Metrics.N, t.NumFewshot, t.Available)));
        var anatomy = report.Tasks[0].Samples[1];
        Assert.StartsWith("The following are multiple choice questions (with answers) about anatomy.\n\nWhat is the embryological origin of the hyoid bone?", anatomy.Context);
        Assert.Contains("Answer: D\n\nWhich of these branches", anatomy.Context);
        var extraResult = report.Tasks[^1];
        Assert.Equal((1, 1), (extraResult.Metrics.N, extraResult.Skipped));
        Assert.Contains(report.Config.Notes, n => n.StartsWith("skipped: " + extra + ": line 2", StringComparison.Ordinal));
        Assert.Equal("mmlu_medical", Assert.Single(report.Groups).Name);
    }

    private sealed class SyncProgress(List<EvalProgress> sink) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => sink.Add(value);
    }
}
