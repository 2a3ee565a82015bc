// What one run of the study produced, as stored in <out>/eval-<run>/run.json and read by the report:
// cost (trainable parameters, peak memory, throughput, wall time), losses and per-task accuracy.
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Pipeline;

/// <summary>Accuracy of one task: Metric names which harness metric ("acc" or "acc_norm").</summary>
public sealed record TaskScore(string Task, int N, double Acc, double? Stderr, string Metric, double Chance);

/// <summary>Training cost and losses of a fine-tuning (or pretraining) run.</summary>
public sealed record TrainStats
{
    public long TrainableParameters { get; init; }
    public long TotalParameters { get; init; }
    /// <summary>Peak resident set growth during training (VmHWM after − VmRSS before, bytes); null where /proc is unavailable.</summary>
    public long? PeakRssDeltaBytes { get; init; }
    /// <summary>Weights + gradients + AdamW moments (4 bytes each): frozen·4 + trainable·16.</summary>
    public long StateBytes { get; init; }
    public double TokensPerSecond { get; init; }
    public long Tokens { get; init; }
    public double WallSeconds { get; init; }
    public int Steps { get; init; }
    public double FinalLoss { get; init; }
    public double? ValLoss { get; init; }
    public IReadOnlyList<double> LossHistory { get; init; } = [];
}

public sealed record RunResult
{
    public string Name { get; init; } = "";
    public RunKind Kind { get; init; }
    public string Description { get; init; } = "";
    public long TotalParameters { get; init; }
    public TrainStats? Train { get; init; }
    public IReadOnlyList<TaskScore> Scores { get; init; } = [];

    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, RecipeLoader.Json) + "\n");
    }

    public static RunResult Load(string path) =>
        JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), RecipeLoader.Json) ?? throw new Core.Errors.Med42Exception($"{path}: empty run result");

    public static TrainStats LoadStats(string path) =>
        JsonSerializer.Deserialize<TrainStats>(File.ReadAllText(path), RecipeLoader.Json) ?? throw new Core.Errors.Med42Exception($"{path}: empty training stats");

    public static void SaveStats(TrainStats s, string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(s, RecipeLoader.Json) + "\n");
    }
}
