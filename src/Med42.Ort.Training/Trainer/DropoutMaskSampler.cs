// LoRA dropout masks from the trainer's own SplitMix64 stream: keep-probability 1 − p per element, drawn in a fixed
// order (mask by mask, element by element). The stream's state goes into every checkpoint, so a resumed run draws
// the masks the uninterrupted run would have drawn.
using Med42.Ort.Core.Randomness;

namespace Med42.Ort.Training.Trainer;

public sealed class DropoutMaskSampler(ulong state, double p)
{
    private readonly SplitMix64 _rng = new(state);

    /// <summary>The stream's state after the masks drawn so far (saved in checkpoints).</summary>
    public ulong State => _rng.State;

    public void Fill(IReadOnlyList<bool[]> masks)
    {
        foreach (var m in masks)
            for (var i = 0; i < m.Length; i++) m[i] = _rng.NextHalfOpenDouble() >= p;
    }
}
