// Stops a diverged run before it corrupts the parameters: a non-finite loss or gradient norm ends training with the
// step, the offending value and the last checkpoint written, checked after the gradients and before any update.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Training.Trainer;

public static class DivergenceCheck
{
    /// <param name="step">The step index (0-based; reported 1-based as the progress shows it).</param>
    public static void ThrowIfNonFinite(int step, double loss, double norm, string? lastCheckpoint)
    {
        if (double.IsFinite(loss) && double.IsFinite(norm)) return;
        var (what, value) = double.IsFinite(loss) ? ("gradient norm", norm) : ("loss", loss);
        throw new Med42Exception($"step {step + 1}: non-finite {what} ({value}); training stopped before updating the parameters; " +
            $"last good checkpoint: {lastCheckpoint ?? "none"} (try a lower lr or max_grad_norm)");
    }
}
