// `med42 train`: a recipe (or the defaults) with the flags over it (FlagOverlay), Trainer.Run with a Spectre
// progress bar, then the loss plot (training and validation loss) next to metrics.jsonl. Wiring only.
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Reports;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer;
using Spectre.Console;

namespace Med42.Ort.Cli.Commands;

[DefaultsFrom(typeof(TrainOptions))]
[Verb("train", HelpText = "Fine-tune (full, LoRA or QLoRA) on JSON/JSONL data; flags override a --config recipe (docs/train.md).")]
internal sealed class TrainCommand : TrainingGraphFlags, ICommand
{
    [Option("config", HelpText = "Recipe (.yaml/.yml/.json); see models/recipes/.")] public string? Config { get; set; }
    [Option("model", HelpText = "Base checkpoint: HF folder, llama2.c .bin or .gguf.")] [Overrides(nameof(TrainOptions.Model))] public string? Model { get; set; }
    [Option("tokenizer", HelpText = "Tokenizer file or folder (omitted: found beside the model).")] [Overrides(nameof(TrainOptions.Tokenizer))] public string? Tokenizer { get; set; }
    [Option("data", Separator = ',', HelpText = "Data files (JSON/JSONL: chat, Alpaca or text), comma-separated.")]
    [Overrides(nameof(TrainOptions.Data))] public IEnumerable<string>? Data { get; set; }
    [Option("epochs", HelpText = "Passes over the training data (ignored when --max-steps is set).")] [Overrides(nameof(TrainOptions.Epochs))] public int? Epochs { get; set; }
    [Option("max-steps", HelpText = "Optimizer steps to run; overrides --epochs.")] [Overrides(nameof(TrainOptions.MaxSteps))] public int? MaxSteps { get; set; }
    [Option("lr", HelpText = "Peak learning rate (AdamW).")] [Overrides(nameof(TrainOptions.Lr))] public double? Lr { get; set; }
    [Option("schedule", HelpText = "Learning-rate schedule after warmup: constant, linear or cosine.")] [Overrides(nameof(TrainOptions.Schedule))] public ScheduleKind? Schedule { get; set; }
    [Option("warmup-ratio", HelpText = "Fraction of the steps spent warming the learning rate up linearly from 0.")] [Overrides(nameof(TrainOptions.WarmupRatio))] public double? WarmupRatio { get; set; }
    [Option("weight-decay", HelpText = "AdamW decoupled weight decay.")] [Overrides(nameof(TrainOptions.WeightDecay))] public double? WeightDecay { get; set; }
    [Option("max-grad-norm", HelpText = "Clip the global gradient norm to this (0 = no clipping).")] [Overrides(nameof(TrainOptions.MaxGradNorm))] public double? MaxGradNorm { get; set; }
    [Option("batch-size", HelpText = "Sequences per micro-batch.")] [Overrides(nameof(TrainOptions.BatchSize))] public int? BatchSize { get; set; }
    [Option("grad-accum", HelpText = "Micro-batches accumulated per optimizer step.")] [Overrides(nameof(TrainOptions.GradAccum))] public int? GradAccum { get; set; }
    [Option("seq-len", HelpText = "Tokens per training sequence (longer examples are truncated).")] [Overrides(nameof(TrainOptions.SeqLen))] public int? SeqLen { get; set; }
    [Option("packing", HelpText = "Pack several examples into each sequence: true or false.")] [Overrides(nameof(TrainOptions.Packing))] public bool? Packing { get; set; }
    [Option("template", HelpText = "Chat template the examples are rendered in: med42 or llama2.")] [Overrides(nameof(TrainOptions.Template))] public TemplateKind? Template { get; set; }
    [Option("system-prompt", HelpText = "System line of the template (omitted: the template's own).")] [Overrides(nameof(TrainOptions.SystemPrompt))] public string? SystemPrompt { get; set; }
    [Option("validation-fraction", HelpText = "Fraction of the examples held out for validation loss (0 = none).")] [Overrides(nameof(TrainOptions.ValidationFraction))] public double? ValidationFraction { get; set; }
    [Option("skip-bad", HelpText = "Skip malformed data records (counted) instead of stopping at the first.")] [Overrides(nameof(TrainOptions.SkipBadLines))] public bool SkipBad { get; set; }
    [Option("eval-every", HelpText = "Compute validation loss every N steps (0 = at the end only).")] [Overrides(nameof(TrainOptions.EvalEvery))] public int? EvalEvery { get; set; }
    [Option("save-every", HelpText = "Write a checkpoint every N steps (0 = at the end only).")] [Overrides(nameof(TrainOptions.SaveEvery))] public int? SaveEvery { get; set; }
    [Option("keep-last", HelpText = "Checkpoints kept under checkpoints/ (older ones are deleted).")] [Overrides(nameof(TrainOptions.KeepLast))] public int? KeepLast { get; set; }
    [Option("out", HelpText = "Output folder (docs/train.md lists what it holds).")] [Overrides(nameof(TrainOptions.Out))] public string? Out { get; set; }
    [Option("resume", HelpText = "A checkpoint folder or a previous run's output folder.")] [Overrides(nameof(TrainOptions.Resume))] public string? Resume { get; set; }
    [Option("device", HelpText = "cpu or cuda (cuda needs the GPU build: -p:OrtFlavour=cuda).")] [Overrides(nameof(TrainOptions.Device))] public Device? Device { get; set; }
    [Option("threads", HelpText = "ONNX Runtime intra-op threads (0 = its default; fix it for reproducible runs).")] [Overrides(nameof(TrainOptions.Threads))] public int? Threads { get; set; }
    [Option("force", HelpText = "Start over in a non-empty --out folder (its previous run's files are removed).")] [Overrides(nameof(TrainOptions.Force))] public bool Force { get; set; }
    [Option("shard-optimizer", HelpText = "Under mpirun/srun: each rank keeps the AdamW state of 1/N of the parameters (ZeRO-1).")]
    [Overrides(nameof(TrainOptions.ShardOptimizer))] public bool ShardOptimizer { get; set; }
    [Option("collective-timeout", Default = 1800.0, HelpText = RankFailures.TimeoutHelp)] public double CollectiveTimeout { get; set; } = 1800;

    /// <summary>The recipe (or the defaults) with every given flag applied, validated; a bad value set by a flag is blamed on the flag.</summary>
    public TrainOptions Options()
    {
        var recipe = Config is null ? new TrainOptions() : RecipeLoader.Parse(Config);
        var flags = FlagOverlay.Of(this);
        var merged = flags.Apply(recipe);
        return flags.Validate(() => merged.Validate(Config ?? "command line"), hasRecipe: Config is not null);
    }

    /// <summary>Trains in this process, or as one rank of an MPI job (mpirun/srun): then only rank 0 shows progress,
    /// plots and prints, and a failing rank aborts the job.</summary>
    public int Run(CancellationToken cancellationToken)
    {
        var o = Options();
        var communicator = Communicators.FromEnvironment();
        using var finalize = communicator as IDisposable;
        // Under several ranks the collectives are timed (rank 0 reports their share of the run) and watched for a stalled rank.
        using var watched = RankFailures.WithTimeout(communicator, CollectiveTimeout) as IDisposable;
        ICommunicator used = communicator.WorldSize > 1 ? new TimedCommunicator((ICommunicator?)watched ?? communicator) : communicator;
        return RankFailures.AbortOnError(communicator, () => communicator.Rank == 0 ? Train(o, used, cancellationToken) : TrainQuietly(o, used, cancellationToken));
    }

    private static TrainingSetup Setup(ICommunicator communicator) =>
        new() { Communicator = communicator, Notices = new InlineProgress<string>(m => Console.Error.WriteLine($"med42: {m}")) };

    // Ranks other than 0: the same training, no console output (rank 0 speaks for the job).
    private static int TrainQuietly(TrainOptions o, ICommunicator communicator, CancellationToken cancellationToken)
    {
        Trainer.Run(o, null, cancellationToken, Setup(communicator) with { Notices = null });
        return 0;
    }

    private static int Train(TrainOptions o, ICommunicator communicator, CancellationToken cancellationToken)
    {
        TrainResult? result = null;
        AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var progress = new InlineProgress<TrainProgress>(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    var eval = p.EvalLoss is double e ? $" val {e:F4} (ppl {p.EvalPerplexity:F2})" : "";
                    task.Description = $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.Lr:G3} {p.TokensPerSecond:F0} tok/s ETA {p.Eta:hh\\:mm\\:ss}{eval}";
                });
                result = Trainer.Run(o, progress, cancellationToken, Setup(communicator));
            });
        var r = result!;
        var plot = Path.Combine(o.Out, RunFolder.LossPlotFile);
        var series = new Dictionary<string, IReadOnlyList<(int, double)>> { [o.Mode.ToString().ToLowerInvariant()] = r.LossHistory.Select((l, i) => (i + 1, l)).ToList() };
        var validation = ValidationPoints(Path.Combine(o.Out, Trainer.MetricsFile));
        if (validation.Count > 0) series["validation"] = validation;
        Charts.LossCurves(plot, series);
        if (communicator is TimedCommunicator timed)
            Console.Error.WriteLine($"med42: {communicator.WorldSize} ranks; rank 0 spent {timed.Elapsed.TotalSeconds:F2} s in collectives " +
                $"({timed.Elapsed.TotalMilliseconds / Math.Max(1, r.Steps):F1} ms per step, waits for the slower rank included)");
        Console.WriteLine($"{r.Steps} steps, final loss {r.FinalLoss:F4}{(r.EvalLoss is double ev ? $", validation loss {ev:F4}" : "")}; output {r.OutputFolder}; metrics {Path.Combine(o.Out, Trainer.MetricsFile)}; plot {plot}");
        return 0;
    }

    // (step, eval_loss) of the metrics.jsonl rows that carry a validation loss; the last row wins per step (a resumed run appends).
    private static List<(int, double)> ValidationPoints(string metricsPath)
    {
        var points = new SortedDictionary<int, double>();
        if (!File.Exists(metricsPath)) return [];
        foreach (var line in File.ReadLines(metricsPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("eval_loss", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.Number)
                points[root.GetProperty("step").GetInt32()] = e.GetDouble();
        }
        return points.Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
