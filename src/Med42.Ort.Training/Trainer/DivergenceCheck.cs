// Stops a diverged run before it wastes more steps or hands out a destroyed model, naming the step. Three signs:
// a non-finite loss or gradient norm (checked after the gradients and before any update: the parameters stay as they
// were); a collapse — the loss sits at ln V (uniform logits) with a vanishing gradient norm for several steps, where a
// huge learning rate saturates the network and nothing can train any more; and a loss far above its running mean.
// The message recommends the newest checkpoint whose parameters a later step found healthy, re-read from disk and
// verified finite. Test: Training.Tests/Trainer/DivergenceCheckTests.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Training.Trainer;

public sealed class DivergenceCheck(int vocabSize)
{
    /// <summary>Consecutive collapsed steps that stop the run: one or two can be a plateau of a barely trained model.</summary>
    public const int CollapseSteps = 3;

    /// <summary>A gradient norm at or below this is "zero": healthy norms of a Llama at uniform loss are orders of magnitude
    /// larger, so a norm this small at ln V means the logits no longer depend on the parameters.</summary>
    public const double ZeroNorm = 1e-8;

    /// <summary>Relative distance to ln V that counts as "at ln V" (1%: a trained model's loss is far from it, and a
    /// saturated one's is at it within rounding).</summary>
    public const double UniformTolerance = 0.01;

    /// <summary>Steps observed before the rise check starts (the running mean needs a few values to mean anything).</summary>
    public const int RiseWarmup = 3;

    /// <summary>Decay of the running (exponential) mean: about the last ten steps, so it follows a falling loss.</summary>
    public const double MeanDecay = 0.9;

    private int _collapsed;
    private int _seen;
    private double _mean;

    /// <summary>The loss a model with uniform logits has: ln V.</summary>
    public double UniformLoss { get; } = Math.Log(vocabSize);

    /// <summary>The loss a step must exceed to count as a rise "far above" <paramref name="mean"/>: twice the mean and at
    /// least one nat above it — step-to-step noise of a healthy run stays well within both, even at losses near 0.</summary>
    public static double RiseLimit(double mean) => mean + Math.Max(1.0, mean);

    /// <summary>
    /// Checks step <paramref name="step"/> (0-based, reported 1-based as the progress shows it); throws when the run
    /// diverged. Returns whether the step looked healthy, i.e. whether the parameters it evaluated can be recommended.
    /// </summary>
    public bool Observe(int step, double loss, double norm, string? goodCheckpoint)
    {
        ThrowIfNonFinite(step, loss, norm, goodCheckpoint);
        var collapsing = Math.Abs(loss - UniformLoss) <= UniformTolerance * UniformLoss && norm <= ZeroNorm;
        _collapsed = collapsing ? _collapsed + 1 : 0;
        if (_collapsed >= CollapseSteps)
            throw Stop(step, $"the loss has sat at ln V = {UniformLoss:F4} (uniform logits) with gradient norm {norm:G3} for {_collapsed} steps: " +
                "the model collapsed", goodCheckpoint);
        if (_seen >= RiseWarmup && loss > RiseLimit(_mean))
            throw Stop(step, $"loss {loss:G6} is far above its running mean {_mean:G6}", goodCheckpoint);
        _mean = _seen == 0 ? loss : MeanDecay * _mean + (1 - MeanDecay) * loss;
        _seen++;
        return !collapsing;
    }

    /// <param name="step">The step index (0-based; reported 1-based as the progress shows it).</param>
    public static void ThrowIfNonFinite(int step, double loss, double norm, string? lastCheckpoint)
    {
        if (double.IsFinite(loss) && double.IsFinite(norm)) return;
        var (what, value) = double.IsFinite(loss) ? ("gradient norm", norm) : ("loss", loss);
        throw Stop(step, $"non-finite {what} ({value}); training stopped before updating the parameters", lastCheckpoint);
    }

    private static Med42Exception Stop(int step, string what, string? checkpoint) =>
        new($"step {step + 1}: {what}; last good checkpoint: {Recommend(checkpoint)} (try a lower lr or max_grad_norm)");

    // The checkpoint as named when its parameters are all finite on disk; otherwise "none" and why.
    private static string Recommend(string? checkpoint)
    {
        if (checkpoint is null) return "none";
        try
        {
            return CheckpointIo.FirstNonFinite(checkpoint) is string bad ? $"none ({checkpoint} holds a non-finite value at {bad})" : checkpoint;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Med42Exception)
        {
            return $"none ({checkpoint} could not be read: {e.Message})";
        }
    }
}
