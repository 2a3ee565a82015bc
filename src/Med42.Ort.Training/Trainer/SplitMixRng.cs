// SplitMix64 with its state exposed, so the trainer's dropout RNG is saved in checkpoints and resumed exactly.
namespace Med42.Ort.Training.Trainer;

public sealed class SplitMixRng(ulong state)
{
    public ulong State { get; private set; } = state;

    public ulong Next()
    {
        var z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) from 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
