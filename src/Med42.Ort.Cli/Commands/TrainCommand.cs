using CommandLine;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Study.Reports;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer;
using Spectre.Console;

namespace Med42.Ort.Cli.Commands;

[Verb("train", HelpText = "Fine-tune (full or LoRA) on JSON/JSONL data; flags override a --config recipe.")]
internal sealed class TrainCommand : ICommand
{
    [Option("config", HelpText = "Recipe (.yaml/.yml/.json); see models/recipes/.")] public string? Config { get; set; }
    [Option("model", HelpText = "Base checkpoint.")] public string? Model { get; set; }
    [Option("tokenizer", HelpText = "Tokenizer file or folder.")] public string? Tokenizer { get; set; }
    [Option("data", Separator = ',', HelpText = "Data files (JSON/JSONL: chat, Alpaca or text), comma-separated.")] public IEnumerable<string>? Data { get; set; }
    [Option("mode", HelpText = "full, lora or qlora (LoRA over an int4 frozen base; needs libmed42_ort_ops).")] public string? Mode { get; set; }
    [Option("int4-block-size", HelpText = "qlora: int4 block size of the frozen base (16, 32, 64, 128; default 32).")] public int? Int4BlockSize { get; set; }
    [Option("lora-rank")] public int? LoraRank { get; set; }
    [Option("lora-alpha")] public double? LoraAlpha { get; set; }
    [Option("lora-dropout")] public double? LoraDropout { get; set; }
    [Option("lora-targets", Separator = ',', HelpText = "Projections, e.g. q_proj,v_proj.")] public IEnumerable<string>? LoraTargets { get; set; }
    [Option("epochs")] public int? Epochs { get; set; }
    [Option("max-steps")] public int? MaxSteps { get; set; }
    [Option("lr")] public double? Lr { get; set; }
    [Option("schedule", HelpText = "constant, linear or cosine.")] public string? Schedule { get; set; }
    [Option("warmup-ratio")] public double? WarmupRatio { get; set; }
    [Option("weight-decay")] public double? WeightDecay { get; set; }
    [Option("max-grad-norm")] public double? MaxGradNorm { get; set; }
    [Option("batch-size")] public int? BatchSize { get; set; }
    [Option("grad-accum")] public int? GradAccum { get; set; }
    [Option("seq-len")] public int? SeqLen { get; set; }
    [Option("packing", HelpText = "true or false.")] public bool? Packing { get; set; }
    [Option("template", HelpText = "med42 or llama2.")] public string? Template { get; set; }
    [Option("system-prompt", HelpText = "System line of the template (default: Med42's).")] public string? SystemPrompt { get; set; }
    [Option("validation-fraction")] public double? ValidationFraction { get; set; }
    [Option("skip-bad-lines")] public bool SkipBadLines { get; set; }
    [Option("eval-every")] public int? EvalEvery { get; set; }
    [Option("save-every")] public int? SaveEvery { get; set; }
    [Option("keep-last")] public int? KeepLast { get; set; }
    [Option("out", HelpText = "Output folder.")] public string? Out { get; set; }
    [Option("resume", HelpText = "A checkpoint folder or a previous run's output folder.")] public string? Resume { get; set; }
    [Option("seed")] public ulong? Seed { get; set; }
    [Option("device", HelpText = "cpu or cuda.")] public string? Device { get; set; }
    [Option("threads")] public int? Threads { get; set; }
    [Option("kernels", HelpText = "onnx (default) or native: ai.med42 custom ops for RMSNorm/rotary (libmed42_ort_ops).")] public string? Kernels { get; set; }
    [Option("gradient-checkpointing", HelpText = "Recompute each decoder layer in the backward pass.")] public bool GradientCheckpointing { get; set; }

    public TrainOptions Options()
    {
        var o = Config is null ? new TrainOptions() : RecipeLoader.Load(Config);
        T Parse<T>(string flag, string value) where T : struct, Enum =>
            Enum.TryParse<T>(value, ignoreCase: true, out var v) ? v : throw new Med42Exception($"--{flag}: unknown value '{value}' (expected {string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()})");
        o = o with
        {
            Model = Model ?? o.Model,
            Tokenizer = Tokenizer ?? o.Tokenizer,
            Data = Data?.ToList() is { Count: > 0 } d ? d : o.Data,
            Mode = Mode is null ? o.Mode : Parse<TrainingMode>("mode", Mode),
            Int4BlockSize = Int4BlockSize ?? o.Int4BlockSize,
            Lora = o.Lora with
            {
                Rank = LoraRank ?? o.Lora.Rank,
                Alpha = LoraAlpha ?? o.Lora.Alpha,
                Dropout = LoraDropout ?? o.Lora.Dropout,
                Targets = LoraTargets?.ToList() is { Count: > 0 } t ? t : o.Lora.Targets,
            },
            Epochs = Epochs ?? o.Epochs,
            MaxSteps = MaxSteps ?? o.MaxSteps,
            Lr = Lr ?? o.Lr,
            Schedule = Schedule is null ? o.Schedule : Parse<ScheduleKind>("schedule", Schedule),
            WarmupRatio = WarmupRatio ?? o.WarmupRatio,
            WeightDecay = WeightDecay ?? o.WeightDecay,
            MaxGradNorm = MaxGradNorm ?? o.MaxGradNorm,
            BatchSize = BatchSize ?? o.BatchSize,
            GradAccum = GradAccum ?? o.GradAccum,
            SeqLen = SeqLen ?? o.SeqLen,
            Packing = Packing ?? o.Packing,
            Template = Template is null ? o.Template : Parse<TemplateKind>("template", Template),
            SystemPrompt = SystemPrompt ?? o.SystemPrompt,
            ValidationFraction = ValidationFraction ?? o.ValidationFraction,
            SkipBadLines = SkipBadLines || o.SkipBadLines,
            EvalEvery = EvalEvery ?? o.EvalEvery,
            SaveEvery = SaveEvery ?? o.SaveEvery,
            KeepLast = KeepLast ?? o.KeepLast,
            Out = Out ?? o.Out,
            Resume = Resume ?? o.Resume,
            Seed = Seed ?? o.Seed,
            Device = Device is null ? o.Device : SessionSettings.ParseDevice(Device),
            Threads = Threads ?? o.Threads,
            Kernels = Kernels is null ? o.Kernels : GenerateCommand.ParseKernels(Kernels),
            GradientCheckpointing = GradientCheckpointing || o.GradientCheckpointing,
        };
        return o.Validate(Config ?? "command line");
    }

    /// <summary>Trains in this process, or as one rank of an MPI job (mpirun/srun): then only rank 0 shows progress,
    /// plots and prints, and a failing rank aborts the job.</summary>
    public int Run(CancellationToken cancellationToken)
    {
        var o = Options();
        var communicator = Communicators.FromEnvironment();
        using var finalize = communicator as IDisposable;
        return RankFailures.AbortOnError(communicator, () => communicator.Rank == 0 ? Train(o, communicator, cancellationToken) : TrainQuietly(o, communicator, cancellationToken));
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
        var plot = Path.Combine(o.Out, "loss.png");
        var series = new Dictionary<string, IReadOnlyList<(int, double)>> { [o.Mode.ToString().ToLowerInvariant()] = r.LossHistory.Select((l, i) => (i + 1, l)).ToList() };
        var validation = ValidationPoints(Path.Combine(o.Out, Trainer.MetricsFile));
        if (validation.Count > 0) series["validation"] = validation;
        Charts.LossCurves(plot, series);
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

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
