// `med42 study`: the full-parameter vs LoRA comparison, end to end, as resumable stages under <out>/
// (one class each in Stages/):
//   data/        embedded study data (seeded): corpus, instruction set, MCQ sets     (when needed)
//   tokenizer/   BPE tokenizer trained on the study's training text (tokenizer.json)  (embedded base)
//   pretrain/    tiny Llama pretrained from random init on the corpus (model/)       (embedded base)
//   train-<run>/ full fine-tune (model/) or LoRA (adapter/) on the instruction set, Med42 template
//   eval-<run>/  run.json: cost, losses and per-task accuracy
//   report/      report.md, report.html (self-contained), charts
// A stage is finished when its marker is present (StageRunner); rerunning skips finished stages.
using Med42.Ort.Llama;
using Med42.Ort.Study.Pipeline.Stages;
using Med42.Ort.Study.Reports;

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
        var study = new StudyContext(config, fresh, progress, ct);
        // File.Delete throws when the folder itself is missing (a --fresh first run into a new folder).
        if (fresh && Directory.Exists(config.Out)) File.Delete(Path.Combine(config.Out, StageRunner.LogFile));
        if (study.NeedsData) study.Run(new DataStage(study));
        if (config.IsEmbedded)
        {
            study.Run(new TokenizerStage(study));
            study.Run(new PretrainStage(study));
        }

        var results = new List<RunResult>();
        foreach (var run in config.Runs)
        {
            ct.ThrowIfCancellationRequested();
            if (run.Kind != RunKind.Base) study.Run(new TrainRunStage(study, run));
            var evaluate = new EvaluateRunStage(study, run);
            study.Run(evaluate);
            results.Add(evaluate.Load());
        }

        var pretrain = config.IsEmbedded ? PretrainStage.LoadStats(study) : null;
        var report = StudyReport.Build(config, results, pretrain, study.Plan.Benchmarks.Notes);
        var reportStage = new ReportStage(study, report);
        reportStage.Invalidate();
        study.Run(reportStage);
        return new StudyResult(results, study.Stages.Dir(reportStage.Name), study.Stages.Events, report);
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
}
