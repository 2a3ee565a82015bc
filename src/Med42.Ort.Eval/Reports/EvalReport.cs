// The in-memory result of an evaluation run: per-document scores, per-task and per-group metrics,
// and the protocol configuration that makes the numbers comparable.
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Metrics;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval.Reports;

/// <summary>One scored document (a line of the samples JSONL).</summary>
public sealed record DocScore(MultipleChoiceDoc Doc, string Context, IReadOnlyList<LoglikelihoodResult> Results, int Pred, int PredNorm)
{
    public bool Acc => Pred == Doc.Gold;
    public bool AccNorm => PredNorm == Doc.Gold;
}

/// <summary>A task's samples and metrics.</summary>
/// <param name="Spec">How lm-evaluation-harness configures the task (configs, metric set, target kind).</param>
public sealed record TaskResult(string Task, string Version, int NumFewshot, string DataPath, MetricSummary Metrics,
    IReadOnlyList<DocScore> Samples, int Skipped, int Available, HarnessTaskSpec Spec);

/// <summary>The protocol written into results.json "config".</summary>
public sealed record EvalRunConfig(
    string Model,
    IReadOnlyList<string> Tasks,
    int NumFewshot,
    string MmluStyle,
    bool Bos,
    int MaxLength,
    double? Limit,
    string TemplateVersion,
    DateTimeOffset Date,
    IReadOnlyList<string> Notes)
{
    /// <summary>Scorer rows per forward pass (harness config.batch_size); null when the scorer has none.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Execution provider or device (harness config.device).</summary>
    public string? Device { get; init; }
    /// <summary>Seed recorded as the harness's random/numpy/torch/fewshot seeds (nothing here draws at random).</summary>
    public int Seed { get; init; } = 1234;
}

public sealed record EvalReport(IReadOnlyList<TaskResult> Tasks, IReadOnlyList<MetricSummary> Groups, EvalRunConfig Config)
{
    public string Markdown => MarkdownTable.Render(this);
}
