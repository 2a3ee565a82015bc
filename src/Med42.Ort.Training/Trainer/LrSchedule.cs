// Learning-rate schedules with linear warmup, as transformers' get_{constant,linear,cosine}_schedule_with_warmup:
// factor(s) = s / W for s < W, then 1 (constant), (N − s)/(N − W) (linear) or ½(1 + cos(π·(s − W)/(N − W))) (cosine),
// where s = optimizer steps already taken (the first update uses s = 0), N = total steps, W = warmup steps.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Training.Trainer;

public enum ScheduleKind { Constant, Linear, Cosine }

public static class LrSchedule
{
    public static int WarmupSteps(double ratio, int totalSteps) => (int)Math.Ceiling(ratio * totalSteps);

    public static double At(ScheduleKind kind, double baseLr, int step, int totalSteps, int warmupSteps)
    {
        if (step < warmupSteps) return baseLr * step / Math.Max(1, warmupSteps);
        var progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return kind switch
        {
            ScheduleKind.Constant => baseLr,
            ScheduleKind.Linear => baseLr * Math.Max(0, 1 - progress),
            ScheduleKind.Cosine => baseLr * Math.Max(0, 0.5 * (1 + Math.Cos(Math.PI * progress))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    public static ScheduleKind Parse(string text, string source = "schedule") => text.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "linear" => ScheduleKind.Linear,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new Med42Exception($"{source}: unknown schedule '{text}' (expected constant, linear or cosine)"),
    };
}
