// `med42 study`: the full-parameter vs LoRA comparison end to end (docs/study.md). Wiring only: the
// embedded default or a --config recipe, CLI flags applied on top, StudyPipeline with a Spectre
// progress bar per stage, then the results table on stdout and the report paths on stderr.
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Study.Pipeline;
using Spectre.Console;

namespace Med42.Ort.Cli.Commands;

[DefaultsFrom(typeof(StudyDefaults), nameof(StudyDefaults.Embedded))]
[Verb("study", HelpText = "Run the full-parameter vs LoRA study end to end (embedded default, or --config models/recipes/*-study.yaml); resumes finished stages.")]
internal sealed class StudyCommand : ICommand
{
    [Option("config", HelpText = "Study recipe (.yaml/.json), e.g. models/recipes/med42-7b-study.yaml. Default: the embedded miniature study.")] public string? Config { get; set; }
    [Option("quick", HelpText = "Smaller embedded study (fewer steps, capped benchmarks): about 2 minutes on 2 CPU cores.")] public bool Quick { get; set; }
    [Option("fresh", HelpText = "Rerun every stage instead of resuming.")] public bool Fresh { get; set; }
    [Option("out", HelpText = "Output folder (runs/study-quick with --quick).")]
    [Overrides(nameof(StudyConfig.Out))] public string? Out { get; set; }
    [Option("data-dir", HelpText = "Benchmark folder (docs/eval.md layout, or ../shared/data's dev files).")]
    [Overrides(nameof(StudyConfig.DataDir))] public string? DataDir { get; set; }
    [Option("base", HelpText = "Base checkpoint instead of the embedded tiny Llama (skips tokenizer training and pretraining).")]
    [Overrides(nameof(StudyConfig.Base))] public string? Base { get; set; }
    [Option("tokenizer", HelpText = "Tokenizer for --base (default: beside the checkpoint).")]
    [Overrides(nameof(StudyConfig.Tokenizer))] public string? Tokenizer { get; set; }
    [Option("seed", HelpText = "Seed of data generation, initialisation and data order.")]
    [Overrides(nameof(StudyConfig.Seed))] public int? Seed { get; set; }
    [Option("threads", HelpText = "ONNX Runtime intra-op threads (fixed for reproducible CPU runs).")]
    [Overrides(nameof(StudyConfig.Threads))] public int? Threads { get; set; }
    [Option("limit", HelpText = "At most N documents per benchmark task.")]
    [Overrides(nameof(StudyConfig.Eval), nameof(EvalConfig.Limit))] public int? Limit { get; set; }

    /// <summary>The recipe (or the embedded default) with every given flag applied, validated; a bad value set by a flag is blamed on the flag.</summary>
    public StudyConfig Options()
    {
        var c = Config is null ? StudyDefaults.Embedded(Quick) : StudyConfigLoader.Parse(Config);
        if (Config is not null && Quick)
            c = c with { Runs = c.Runs.Select(r => r.Kind == RunKind.Base ? r : r with { MaxSteps = Math.Min(r.MaxSteps ?? 50, 50) }).ToList(),
                         Eval = c.Eval with { Limit = Math.Min(c.Eval.Limit ?? 20, 20) } };
        var flags = FlagOverlay.Of(this);
        var merged = flags.Apply(c);
        return flags.Validate(() => merged.Validate(Config ?? "command line"), hasRecipe: Config is not null);
    }

    public int Run(CancellationToken cancellationToken)
    {
        var config = Options();
        StudyResult? result = null;
        AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new InlineProgress<StudyProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                    {
                        foreach (var t in tasks.Values) if (!t.IsFinished) t.Value = t.MaxValue;
                        tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total));
                    }
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = Math.Min(p.Done, task.MaxValue);
                    task.Description = Markup.Escape($"{p.Stage,-16} {p.Detail}");
                });
                result = StudyPipeline.Run(config, Fresh, progress, cancellationToken);
                foreach (var t in tasks.Values) t.Value = t.MaxValue;
            });
        var r = result!;
        // Redirected output has no terminal width; Spectre would squeeze the table into 80 columns.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        var table = new Table().Title("[bold]Med42.Ort study[/]");
        foreach (var h in r.Report.Header) table.AddColumn(Markup.Escape(h));
        foreach (var row in r.Report.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        foreach (var f in r.Report.Findings) Console.WriteLine("- " + f);
        var skipped = r.Stages.Where(s => s.Status == "skipped").Select(s => s.Stage).ToList();
        if (skipped.Count > 0) Console.Error.WriteLine($"resumed: skipped finished stages {string.Join(", ", skipped)} (--fresh reruns them)");
        Console.Error.WriteLine($"report: {Path.Combine(r.ReportDir, "report.html")} and report.md; stage log {Path.Combine(config.Out, StageRunner.LogFile)}");
        return 0;
    }
}
