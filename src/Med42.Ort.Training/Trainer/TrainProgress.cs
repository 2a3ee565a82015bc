// One progress report per optimizer step (and per evaluation), for the CLI's progress bar and logs.
namespace Med42.Ort.Training.Trainer;

public sealed record TrainProgress(int Step, int TotalSteps, double Loss, double Lr, double GradNorm, double TokensPerSecond, TimeSpan Eta,
    double? EvalLoss = null, double? EvalPerplexity = null);

/// <summary>What Trainer.Run returns.</summary>
public sealed record TrainResult(int Steps, double FinalLoss, double? EvalLoss, string OutputFolder, string? LastCheckpoint,
    Data.DataStats Data, IReadOnlyList<double> LossHistory);
