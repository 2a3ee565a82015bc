// `med42 study`: the full-parameter vs LoRA comparison, end to end, as resumable stages under <out>/:
//   data/        embedded study data (seeded): corpus, instruction set, MCQ sets     (when needed)
//   tokenizer/   BPE tokenizer trained on the study's training text (tokenizer.json)  (embedded base)
//   pretrain/    tiny Llama pretrained from random init on the corpus (model/)       (embedded base)
//   train-<run>/ full fine-tune (model/) or LoRA (adapter/) on the instruction set, Med42 template
//   eval-<run>/  run.json: cost, losses and per-task accuracy
//   report/      report.md, report.html (self-contained), charts
// A stage is finished when its marker is present (StageRunner); rerunning skips finished stages.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Study.Facts;
using Med42.Ort.Study.Reports;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;
using TrainingMode = Med42.Ort.Training.Artifacts.TrainingMode;

namespace Med42.Ort.Study.Pipeline;

/// <summary>Progress of the study: the stage, and steps or questions done within it.</summary>
public readonly record struct StudyProgress(string Stage, int Done, int Total, string Detail);

public sealed record StudyResult(IReadOnlyList<RunResult> Runs, string ReportDir, IReadOnlyList<StageEvent> Stages, StudyReport Report);

public static class StudyPipeline
{
    public const string PretrainTextFile = "pretrain_text.jsonl";
    public const string StatsFile = "train_stats.json";
    public const string RunFile = "run.json";

    /// <summary>Study task names of the embedded MCQ sets (chance 25%).</summary>
    public const string HeldInTask = "study_heldin", NeverTask = "study_never", PretrainTask = "study_pretrain";

    public static StudyResult Run(StudyConfig config, bool fresh = false, IProgress<StudyProgress>? progress = null, CancellationToken ct = default)
    {
        config.Validate();
        // Evaluation settings do not invalidate trained models: training stages use a fingerprint without them.
        var trainFp = Fingerprint(config with { Eval = new EvalConfig(), DataDir = null, StudyTasks = true });
        var stages = new StageRunner(config.Out, Fingerprint(config), fresh);
        void TrainStage(string name, Action<string> work) => stages.Run(name, work, trainFp);
        // File.Delete throws when the folder itself is missing (a --fresh first run into a new folder).
        if (fresh && Directory.Exists(config.Out)) File.Delete(Path.Combine(config.Out, StageRunner.LogFile));
        var settings = new SessionSettings { Device = SessionSettings.ParseDevice(config.Device), Threads = config.Threads };
        var needData = config.IsEmbedded || config.Instruct.Count == 0 || config.StudyTasks;
        var dataDir = stages.Dir("data");
        if (needData)
            TrainStage("data", dir =>
            {
                progress?.Report(new StudyProgress("data", 0, 1, "generating the study data"));
                var data = StudyDataset.Generate(config.Seed);
                data.WriteTo(dir);
                using var w = new StreamWriter(Path.Combine(dir, PretrainTextFile));
                foreach (var p in data.Corpus) w.WriteLine(JsonSerializer.Serialize(new { text = p }));
            });

        string basePath, tokenizerPath;
        if (config.IsEmbedded)
        {
            TrainStage("tokenizer", dir =>
            {
                progress?.Report(new StudyProgress("tokenizer", 0, 1, $"training a {config.Model.VocabSize}-piece BPE tokenizer"));
                var texts = File.ReadAllText(Path.Combine(dataDir, StudyDataset.CorpusFile)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
                    .Concat(ReadInstructTexts(Path.Combine(dataDir, StudyDataset.InstructFile)));
                var model = BpeTrainer.Train(texts, new BpeTrainerOptions { VocabSize = config.Model.VocabSize }, ct);
                HfTokenizerJson.Write(model, dir, new HfTokenizerOptions { ModelMaxLength = config.Model.MaxPositions });
            });
            tokenizerPath = Path.Combine(stages.Dir("tokenizer"), HfTokenizerJson.TokenizerFile);
            TrainStage("pretrain", dir =>
            {
                var tokenizer = TokenizerLoader.Load(tokenizerPath);
                var llama = config.Model.ToLlama() with { VocabSize = tokenizer.VocabSize };
                using var weights = TinyLlama.Create(llama, config.Seed, (float)config.Model.InitStd);
                var o = new TrainOptions
                {
                    Model = "embedded tiny llama (random init)", Tokenizer = tokenizerPath, Data = [Path.Combine(dataDir, PretrainTextFile)], Out = dir,
                    Mode = TrainingMode.Full, MaxSteps = config.Pretrain.Steps, Lr = config.Pretrain.Lr, BatchSize = config.Pretrain.BatchSize,
                    SeqLen = config.SeqLen, Packing = true, Schedule = ScheduleKind.Cosine, WarmupRatio = 0.05, ValidationFraction = 0.05,
                    Seed = (ulong)config.Seed, Threads = config.Threads, Device = settings.Device, WeightDecay = 0.0,
                };
                var stats = Train(o, "pretrain", progress, ct, () => Trainer.Run(o, llama, weights, tokenizer, Path.GetDirectoryName(tokenizerPath), Relay("pretrain", progress), ct),
                    WeightLayout.ParameterCount(llama), WeightLayout.ParameterCount(llama));
                RunResult.SaveStats(stats, Path.Combine(dir, StatsFile));
            });
            basePath = Path.Combine(stages.Dir("pretrain"), Trainer.ModelFolder);
        }
        else
        {
            basePath = config.Base;
            tokenizerPath = config.Tokenizer ?? ModelPath.Folder(config.Base);
        }

        var instruct = config.Instruct.Count > 0 ? config.Instruct : [Path.Combine(dataDir, StudyDataset.InstructFile)];
        var plan = new EvalPlan
        {
            StudySets = config.StudyTasks && needData
                ? [new(HeldInTask, Path.Combine(dataDir, StudyDataset.McqHeldInFile)), new(NeverTask, Path.Combine(dataDir, StudyDataset.McqNeverFile)),
                   new(PretrainTask, Path.Combine(dataDir, StudyDataset.McqPretrainFile))]
                : [],
            McqStyle = config.Eval.McqStyle,
            Benchmarks = BenchmarkSet.Discover(config.DataDir),
            DataDir = config.DataDir,
            Limit = config.Eval.Limit,
            BatchSize = config.Eval.BatchSize,
        };

        var results = new List<RunResult>();
        foreach (var run in config.Runs)
        {
            ct.ThrowIfCancellationRequested();
            LlamaConfig llama;
            using (var ck = LlamaCheckpoint.Open(basePath)) llama = ck.Config;
            var total = WeightLayout.ParameterCount(llama);
            var trainStage = "train-" + run.Name;
            if (run.Kind != RunKind.Base)
                TrainStage(trainStage, dir =>
                {
                    var o = new TrainOptions
                    {
                        Model = basePath, Tokenizer = tokenizerPath, Data = instruct, Out = dir,
                        Mode = run.Kind == RunKind.Full ? TrainingMode.Full : TrainingMode.Lora, Lora = run.Lora ?? new(),
                        MaxSteps = run.MaxSteps, Epochs = run.Epochs, Lr = run.Lr, BatchSize = run.BatchSize, GradAccum = run.GradAccum,
                        SeqLen = config.SeqLen, Packing = true, Template = TemplateKind.Med42, Schedule = ScheduleKind.Cosine,
                        WarmupRatio = run.WarmupRatio, ValidationFraction = run.ValidationFraction, Seed = (ulong)config.Seed,
                        Threads = config.Threads, Device = settings.Device,
                    };
                    var trainable = run.Kind == RunKind.Full ? total : LoraParameters(llama, run.Lora!);
                    var stats = Train(o, trainStage, progress, ct, () => Trainer.Run(o, Relay(trainStage, progress), ct), trainable, total);
                    RunResult.SaveStats(stats, Path.Combine(dir, StatsFile));
                });
            var evalStage = "eval-" + run.Name;
            stages.Run(evalStage, dir =>
            {
                var trainDir = stages.Dir(trainStage);
                var model = run.Kind == RunKind.Full ? Path.Combine(trainDir, Trainer.ModelFolder) : basePath;
                var adapter = run.Kind == RunKind.Lora ? Path.Combine(trainDir, Trainer.AdapterFolder) : null;
                var scores = StudyEvaluator.Evaluate(model, tokenizerPath, adapter, plan, settings,
                    progress is null ? null : new Inline<EvalProgress>(p => progress.Report(new StudyProgress(evalStage, p.QuestionsDone, p.QuestionsTotal, p.Task))), ct);
                var result = new RunResult
                {
                    Name = run.Name, Kind = run.Kind, Description = Describe(run), TotalParameters = total,
                    Train = run.Kind == RunKind.Base ? null : RunResult.LoadStats(Path.Combine(trainDir, StatsFile)),
                    Scores = scores,
                };
                result.Save(Path.Combine(dir, RunFile));
            });
            results.Add(RunResult.Load(Path.Combine(stages.Dir(evalStage), RunFile)));
        }

        TrainStats? pretrain = config.IsEmbedded ? RunResult.LoadStats(Path.Combine(stages.Dir("pretrain"), StatsFile)) : null;
        var report = StudyReport.Build(config, results, pretrain, plan.Benchmarks.Notes);
        // The report is cheap and reflects every stage, so it is rewritten on every invocation.
        var reportDir = stages.Dir("report");
        if (Directory.Exists(reportDir)) Directory.Delete(reportDir, recursive: true);
        stages.Run("report", dir => report.Write(dir, stages.Events));
        return new StudyResult(results, reportDir, stages.Events, report);
    }

    /// <summary>Trainable parameters of LoRA adapters: r·(in + out) per targeted projection per layer.</summary>
    public static long LoraParameters(LlamaConfig c, Llama.Lora.LoraConfig lora) =>
        c.NumHiddenLayers * lora.Targets.Sum(t => { var (i, o) = WeightLayout.ProjectionShape(c, t); return (long)lora.Rank * (i + o); });

    public static string Describe(StudyRun r) => r.Kind switch
    {
        RunKind.Base => "base model, no fine-tuning",
        RunKind.Full => $"full fine-tune, lr {r.Lr:G3}, {(r.MaxSteps is { } s ? $"{s} steps" : $"{r.Epochs} epochs")}",
        _ => $"LoRA r={r.Lora!.Rank} α={r.Lora.Alpha:G3} on {string.Join(",", r.Lora.Targets)}, lr {r.Lr:G3}, {(r.MaxSteps is { } s ? $"{s} steps" : $"{r.Epochs} epochs")}",
    };

    private static TrainStats Train(TrainOptions o, string stage, IProgress<StudyProgress>? progress, CancellationToken ct, Func<TrainResult> train, long trainable, long total)
    {
        progress?.Report(new StudyProgress(stage, 0, o.MaxSteps ?? 1, "building training graphs"));
        var memory = PeakMemory.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = train();
        var wall = clock.Elapsed.TotalSeconds;
        var (tokens, tps) = LastThroughput(Path.Combine(o.Out, Trainer.MetricsFile));
        return new TrainStats
        {
            TrainableParameters = trainable, TotalParameters = total, PeakRssDeltaBytes = memory.Delta(),
            StateBytes = (o.Mode == TrainingMode.Full ? 0 : total) * 4 + trainable * 16, // frozen weights + (weights, grads, m, v) of trainable ones
            TokensPerSecond = tps, Tokens = tokens, WallSeconds = wall, Steps = r.Steps, FinalLoss = r.FinalLoss, ValLoss = r.EvalLoss,
            LossHistory = r.LossHistory,
        };
    }

    private static (long Tokens, double Tps) LastThroughput(string metrics)
    {
        var last = File.ReadLines(metrics).LastOrDefault(l => l.Trim().Length > 0);
        if (last is null) return (0, 0);
        using var doc = JsonDocument.Parse(last);
        return (doc.RootElement.GetProperty("tokens").GetInt64(), doc.RootElement.GetProperty("tokens_per_s").GetDouble());
    }

    private static IEnumerable<string> ReadInstructTexts(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.TryGetProperty("text", out var text)) { yield return text.GetString() ?? ""; continue; }
            // As the Med42 template renders it, so the system prompt and tags become a few pieces, not dozens.
            yield return $"\n<|system|>: {ChatTemplate.Med42DefaultSystem}\n<|prompter|>:{r.GetProperty("instruction").GetString()}\n<|assistant|>:\n{r.GetProperty("output").GetString()}";
        }
    }

    private static IProgress<TrainProgress>? Relay(string stage, IProgress<StudyProgress>? progress) => progress is null ? null
        : new Inline<TrainProgress>(p => progress.Report(new StudyProgress(stage, p.Step, p.TotalSteps,
            $"loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s{(p.EvalLoss is double e ? $" val {e:F3}" : "")}")));

    private static string Fingerprint(StudyConfig c)
    {
        var json = StudyConfigLoader.ToJson(c with { Out = "", Eval = c.Eval });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16].ToLowerInvariant();
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
