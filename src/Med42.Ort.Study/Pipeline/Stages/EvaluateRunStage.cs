// eval-<run>/run.json: one arm (the base as is, the full fine-tune's model/, or the base with the LoRA
// adapter/ applied on the fly) scored on the evaluation plan, with its training cost and losses.
using Med42.Ort.Eval;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class EvaluateRunStage(StudyContext study, StudyRun run) : IStudyStage
{
    public string Name => "eval-" + run.Name;
    public bool IsTraining => false;

    public void Run(string dir)
    {
        var trainDir = study.Stages.Dir(TrainRunStage.NameOf(run));
        var model = run.Kind == RunKind.Full ? Path.Combine(trainDir, Trainer.ModelFolder) : study.BasePath;
        var adapter = run.Kind == RunKind.Lora ? Path.Combine(trainDir, Trainer.AdapterFolder) : null;
        var progress = study.Progress is null ? null
            : new InlineProgress<EvalProgress>(p => study.Report(Name, p.QuestionsDone, p.QuestionsTotal, p.Task));
        var scores = StudyEvaluator.Evaluate(model, study.TokenizerPath, adapter, study.Plan, study.Settings, progress, study.Cancellation);
        var result = new RunResult
        {
            Name = run.Name, Kind = run.Kind, Description = StudyPipeline.Describe(run), TotalParameters = study.BaseParameters,
            Train = run.Kind == RunKind.Base ? null : RunResult.LoadStats(Path.Combine(trainDir, StudyPipeline.StatsFile)),
            Scores = scores,
        };
        result.Save(Path.Combine(dir, StudyPipeline.RunFile));
    }

    /// <summary>The stored result (this invocation's, or a finished earlier one's).</summary>
    public RunResult Load() => RunResult.Load(Path.Combine(study.Stages.Dir(Name), StudyPipeline.RunFile));
}
