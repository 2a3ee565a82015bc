// train-<run>/: one arm fine-tuned from the base on the instruction set in the Med42 template — full
// (model/) or LoRA (adapter/) — with train_stats.json (cost and losses) for the report.
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;
using TrainingMode = Med42.Ort.Training.Artifacts.TrainingMode;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class TrainRunStage(StudyContext study, StudyRun run) : IStudyStage
{
    public static string NameOf(StudyRun run) => "train-" + run.Name;

    public string Name => NameOf(run);
    public bool IsTraining => true;

    public void Run(string dir)
    {
        var config = study.Config;
        var o = new TrainOptions
        {
            Model = study.BasePath, Tokenizer = study.TokenizerPath, Data = study.Instruct, Out = dir,
            Mode = run.Kind == RunKind.Full ? TrainingMode.Full : TrainingMode.Lora, Lora = run.Lora ?? new(),
            MaxSteps = run.MaxSteps, Epochs = run.Epochs, Lr = run.Lr, BatchSize = run.BatchSize, GradAccum = run.GradAccum,
            SeqLen = config.SeqLen, Packing = true, Template = TemplateKind.Med42, Schedule = ScheduleKind.Cosine,
            WarmupRatio = run.WarmupRatio, ValidationFraction = run.ValidationFraction, Seed = (ulong)config.Seed,
            Threads = config.Threads, Device = study.Settings.Device,
        };
        var total = study.BaseParameters;
        var trainable = run.Kind == RunKind.Full ? total : StudyPipeline.LoraParameters(study.BaseConfig, run.Lora!);
        var stats = StudyTraining.Measure(o, study, Name, trainable, total, progress => Trainer.Run(o, progress, study.Cancellation));
        RunResult.SaveStats(stats, Path.Combine(dir, StudyPipeline.StatsFile));
    }
}
