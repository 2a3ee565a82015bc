// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_ computes it: when the norm over all gradients
// exceeds max_grad_norm, every gradient is multiplied by max_grad_norm / (norm + 1e-6); max_grad_norm 0 turns it off.
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

public static class GradientClipping
{
    /// <summary>The factor the gradients are multiplied by, or null when they are left as they are.</summary>
    public static float? Factor(double norm, double maxNorm) =>
        maxNorm > 0 && norm > maxNorm ? (float)(maxNorm / (norm + 1e-6)) : null;

    public static void Apply(ITrainingBackend backend, double norm, double maxNorm)
    {
        if (Factor(norm, maxNorm) is float factor) backend.ClipGradients(factor);
    }
}
