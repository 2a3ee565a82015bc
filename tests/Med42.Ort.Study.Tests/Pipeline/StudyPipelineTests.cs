// `med42 study` end to end: a tiny configuration run twice gives the
// same numbers (determinism on CPU with fixed threads) and resumes after a later stage is lost; the
// --quick default completes and its numbers are sane (Slow); a stories260K base with the shared
// benchmark dev files evaluates the real benchmark formats (Slow, needs ../shared/data).
using Med42.Ort.Tests.Shared;
using Med42.Ort.Study.Pipeline;
using Med42.Ort.Study.Reports;

namespace Med42.Ort.Study.Tests.Pipeline;

public sealed class StudyPipelineTests
{
    private static readonly string[] Targets = ["q_proj", "v_proj", "gate_proj"];

    /// <summary>Smallest configuration that still exercises every stage and run kind (2 layers: with 1 the eval prefix graph never reads attention_mask and ORT drops the input).</summary>
    internal static StudyConfig Tiny(string outDir) => new()
    {
        Out = outDir, SeqLen = 64, Threads = 1, Seed = 7,
        Model = new TinyModelConfig { VocabSize = 400, HiddenSize = 16, IntermediateSize = 32, Layers = 2, Heads = 2, KvHeads = 2, MaxPositions = 128 },
        Pretrain = new PretrainConfig { Steps = 3, BatchSize = 2, Lr = 1e-2 },
        Eval = new EvalConfig { Limit = 5 },
        Runs =
        [
            new StudyRun { Name = "base", Kind = RunKind.Base },
            new StudyRun { Name = "full", Kind = RunKind.Full, MaxSteps = 2, BatchSize = 2, Lr = 1e-2 },
            new StudyRun { Name = "lora-r2", Kind = RunKind.Lora, MaxSteps = 2, BatchSize = 2, Lr = 1e-2, Lora = new() { Rank = 2, Alpha = 4, Targets = Targets } },
        ],
    };

    private static string Numbers(StudyResult r) => string.Join("\n", r.Runs.Select(run =>
        $"{run.Name}: {string.Join(", ", run.Scores.Select(s => $"{s.Task} {s.N} {s.Acc:R} {s.Stderr:R}"))}; " +
        $"loss {(run.Train is { } t ? string.Join(" ", t.LossHistory.Select(l => l.ToString("R"))) + $" val {t.ValLoss:R}" : "-")}"));

    [Fact]
    public void SameSeedSameNumbersAndResumeAfterInterruption()
    {
        using var tmp = new TempDir();
        var a = StudyPipeline.Run(Tiny(Path.Combine(tmp.Path, "a")));
        var b = StudyPipeline.Run(Tiny(Path.Combine(tmp.Path, "b")));
        Assert.Equal(Numbers(a), Numbers(b));
        Assert.All(a.Stages, s => Assert.Equal("ran", s.Status));
        // Sanity: the study's three MCQ sets are scored for every run, with the generator's item counts.
        var counts = a.Runs[0].Scores.ToDictionary(s => s.Task, s => s.N);
        Assert.Equal(3, counts.Count);
        Assert.All(a.Runs, r => Assert.All(r.Scores, s => Assert.InRange(s.Acc, 0, 1)));

        // Interrupt: the LoRA run's stages are lost (training half-written, evaluation never finished).
        var bDir = Path.Combine(tmp.Path, "b");
        File.Delete(Path.Combine(bDir, "train-lora-r2", StageRunner.MarkerFile));
        Directory.Delete(Path.Combine(bDir, "eval-lora-r2"), recursive: true);
        var resumed = StudyPipeline.Run(Tiny(bDir));
        var status = resumed.Stages.ToDictionary(s => s.Stage, s => s.Status);
        foreach (var done in new[] { "data", "tokenizer", "pretrain", "eval-base", "train-full", "eval-full" }) Assert.Equal("skipped", status[done]);
        Assert.Equal("ran", status["train-lora-r2"]);
        Assert.Equal("ran", status["eval-lora-r2"]);
        Assert.Equal(Numbers(a), Numbers(resumed));
        Assert.True(File.Exists(Path.Combine(resumed.ReportDir, StudyReport.HtmlFile)));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void QuickStudyCompletesWithSaneNumbers()
    {
        using var tmp = new TempDir();
        // How long --quick takes is a benchmark's question (docs/perf.md), not this test's: it checks what the run produced.
        var config = StudyDefaults.Embedded(quick: true) with { Out = tmp.Path };
        var r = StudyPipeline.Run(config);
        foreach (var f in new[] { StudyReport.HtmlFile, StudyReport.MarkdownFile }.Concat(StudyReport.ChartFiles))
            Assert.True(File.Exists(Path.Combine(r.ReportDir, f)), f);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "tokenizer", "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(tmp.Path, "pretrain", "model", "config.json")));
        Assert.True(File.Exists(Path.Combine(tmp.Path, "train-full", "model", "config.json")));
        Assert.True(File.Exists(Path.Combine(tmp.Path, "train-lora-r16", "adapter", "adapter_config.json")));
        foreach (var run in r.Runs)
        {
            // Three study sets (held-in, never-trained, pretrain-only) in every configured presentation.
            Assert.Equal(3 * config.Eval.McqStyles.Count, run.Scores.Count);
            Assert.All(run.Scores, s => Assert.InRange(s.Acc, 0, 1));
            if (run.Train is not { } t) continue;
            Assert.True(t.LossHistory[^1] < t.LossHistory[0], $"{run.Name}: loss did not decrease ({t.LossHistory[0]} → {t.LossHistory[^1]})");
            Assert.True(t.TokensPerSecond > 0 && t.WallSeconds > 0 && t.StateBytes > 0);
            Assert.InRange(t.TrainableParameters, 1, t.TotalParameters);
        }
        var full = r.Runs.Single(x => x.Kind == RunKind.Full).Train!;
        Assert.All(r.Runs.Where(x => x.Kind == RunKind.Lora), l => Assert.True(l.Train!.TrainableParameters < full.TrainableParameters));
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void Stories260KBaseEvaluatesRealBenchmarkFormats()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        var tokenizer = SharedData.Path("models/stories260K/tok512.model");
        var dataDir = Path.GetDirectoryName(Path.GetDirectoryName(SharedData.Path("medqa/phrases_no_exclude_dev.jsonl")))!;
        using var tmp = new TempDir();
        var config = Tiny(tmp.Path) with
        {
            Base = model, Tokenizer = tokenizer, DataDir = dataDir, SeqLen = 128, Eval = new EvalConfig { Limit = 3 },
            Runs = [new StudyRun { Name = "base", Kind = RunKind.Base }, new StudyRun { Name = "lora", Kind = RunKind.Lora, MaxSteps = 2, BatchSize = 2, Lora = new() { Rank = 2, Alpha = 4, Targets = Targets } }],
        };
        var r = StudyPipeline.Run(config);
        Assert.DoesNotContain(r.Stages, s => s.Stage is "tokenizer" or "pretrain");
        foreach (var run in r.Runs)
        {
            var tasks = run.Scores.ToDictionary(s => s.Task);
            foreach (var t in new[] { "medqa_4options", "medmcqa", "pubmedqa", "mmlu_anatomy", "mmlu_professional_medicine" })
                Assert.Equal(3, tasks[t].N);
            Assert.Equal(1.0 / 3, tasks["pubmedqa"].Chance, 12);
            Assert.Contains(StudyPipeline.HeldInTask, tasks.Keys);
        }
    }

    [Fact]
    public void BenchmarkDiscoveryPrefersStandardFilesAndFallsBackToSharedDevFiles()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("medqa"));
        Directory.CreateDirectory(tmp.File("medmcqa"));
        Directory.CreateDirectory(Path.Combine(tmp.Path, "mmlu", "dev"));
        File.WriteAllText(Path.Combine(tmp.Path, "medqa", "test.jsonl"), "");
        File.WriteAllText(Path.Combine(tmp.Path, "medqa", "phrases_no_exclude_dev.jsonl"), "");
        File.WriteAllText(Path.Combine(tmp.Path, "medmcqa", "dev_sample300.json"), "");
        File.WriteAllText(Path.Combine(tmp.Path, "mmlu", "dev", "anatomy_dev.csv"), "");
        var set = BenchmarkSet.Discover(tmp.Path);
        Assert.Equal(["medqa_4options", "medmcqa", "mmlu_anatomy"], set.Tasks);
        Assert.Equal(Path.Combine(tmp.Path, "medqa", "test.jsonl"), set.Overrides["medqa_4options"]);
        Assert.Equal(Path.Combine(tmp.Path, "medmcqa", "dev_sample300.json"), set.Overrides["medmcqa"]);
        Assert.Equal(2, set.Notes.Count); // medmcqa and mmlu_anatomy use non-standard files
        Assert.Empty(BenchmarkSet.Discover(null).Tasks);
    }
}
