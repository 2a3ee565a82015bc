// pretrain/: the embedded tiny Llama, initialised from the seed and pretrained on the corpus (model/ and
// train_stats.json). Its output is the base every run of an embedded study starts from.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Training.Trainer;
using TrainingMode = Med42.Ort.Training.Artifacts.TrainingMode;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class PretrainStage(StudyContext study) : IStudyStage
{
    public const string StageName = "pretrain";

    public string Name => StageName;
    public bool IsTraining => true;

    public void Run(string dir)
    {
        var config = study.Config;
        var tokenizer = TokenizerLoader.Load(study.TokenizerPath);
        var llama = config.Model.ToLlama() with { VocabSize = tokenizer.VocabSize };
        using var weights = TinyLlama.Create(llama, config.Seed, (float)config.Model.InitStd);
        var o = new TrainOptions
        {
            Model = "embedded tiny llama (random init)", Tokenizer = study.TokenizerPath, Data = [Path.Combine(study.DataDir, StudyPipeline.PretrainTextFile)], Out = dir,
            Mode = TrainingMode.Full, MaxSteps = config.Pretrain.Steps, Lr = config.Pretrain.Lr, BatchSize = config.Pretrain.BatchSize,
            SeqLen = config.SeqLen, Packing = true, Schedule = ScheduleKind.Cosine, WarmupRatio = 0.05, ValidationFraction = 0.05,
            Seed = (ulong)config.Seed, Threads = config.Threads, Device = study.Settings.Device, WeightDecay = 0.0,
        };
        var parameters = WeightLayout.ParameterCount(llama);
        var stats = StudyTraining.Measure(o, study, Name, parameters, parameters,
            progress => Trainer.Run(o, llama, weights, tokenizer, Path.GetDirectoryName(study.TokenizerPath), progress, study.Cancellation));
        RunResult.SaveStats(stats, Path.Combine(dir, StudyPipeline.StatsFile));
    }

    public static TrainStats LoadStats(StudyContext study) => RunResult.LoadStats(Path.Combine(study.Stages.Dir(StageName), StudyPipeline.StatsFile));
}
