// One training run of the study measured: wall time, peak memory growth, throughput (the last metrics.jsonl
// row) and the trainer's losses, as TrainStats; progress relayed as StudyProgress of the stage.
using System.Diagnostics;
using System.Text.Json;
using Med42.Ort.Training.Trainer;
using TrainingMode = Med42.Ort.Training.Artifacts.TrainingMode;

namespace Med42.Ort.Study.Pipeline.Stages;

internal static class StudyTraining
{
    public static TrainStats Measure(TrainOptions o, StudyContext study, string stage, long trainable, long total, Func<IProgress<TrainProgress>?, TrainResult> train)
    {
        study.Report(stage, 0, o.MaxSteps ?? 1, "building training graphs");
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var r = train(Relay(stage, study.Progress));
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

    private static IProgress<TrainProgress>? Relay(string stage, IProgress<StudyProgress>? progress) => progress is null ? null
        : new InlineProgress<TrainProgress>(p => progress.Report(new StudyProgress(stage, p.Step, p.TotalSteps,
            $"loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s{(p.EvalLoss is double e ? $" val {e:F3}" : "")}")));
}

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
