// Next-token choice: greedy (temperature 0; the first maximal id, as llama2.c's argmax), or
// temperature / top-k / top-p (nucleus) sampling from a seeded generator (reproducible per seed).
namespace Med42.Ort.Runtime;

public sealed record SamplingOptions
{
    /// <summary>0 = greedy.</summary>
    public float Temperature { get; init; }
    /// <summary>0 = no top-k cut.</summary>
    public int TopK { get; init; }
    /// <summary>1 = no nucleus cut.</summary>
    public float TopP { get; init; } = 1f;
    public ulong Seed { get; init; } = 42;

    public SamplingOptions Validate()
    {
        if (Temperature < 0 || float.IsNaN(Temperature)) throw new Core.Errors.Med42Exception($"--temperature must be ≥ 0, got {Temperature}");
        if (TopK < 0) throw new Core.Errors.Med42Exception($"--top-k must be ≥ 0, got {TopK}");
        if (!(TopP > 0 && TopP <= 1)) throw new Core.Errors.Med42Exception($"--top-p must be in (0, 1], got {TopP}");
        return this;
    }
}

public sealed class Sampler(SamplingOptions options)
{
    private ulong _state = options.Seed == 0 ? 0x9E3779B97F4A7C15UL : options.Seed;

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (options.Temperature == 0) return ArgMax(logits);
        var n = logits.Length;
        var probs = new double[n];
        var max = double.NegativeInfinity;
        for (var i = 0; i < n; i++) max = Math.Max(max, logits[i] / options.Temperature);
        double sum = 0;
        for (var i = 0; i < n; i++) sum += probs[i] = Math.Exp(logits[i] / options.Temperature - max);
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => probs[b].CompareTo(probs[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var keep = options.TopK > 0 ? Math.Min(options.TopK, n) : n;
        if (options.TopP < 1)
        {
            double cumulative = 0;
            for (var i = 0; i < keep; i++)
            {
                cumulative += probs[order[i]] / sum;
                if (cumulative > options.TopP) { keep = i + 1; break; }
            }
        }
        double kept = 0;
        for (var i = 0; i < keep; i++) kept += probs[order[i]];
        var r = NextUniform() * kept;
        for (var i = 0; i < keep; i++)
        {
            r -= probs[order[i]];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }

    // xorshift64*: a tiny seeded generator whose sequence never changes between .NET versions.
    private double NextUniform()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return ((_state * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
    }
}
