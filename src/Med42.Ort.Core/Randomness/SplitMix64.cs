// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference C code at prng.di.unimi.it/splitmix64.c),
// the one seeded generator of the toolkit: weights, LoRA init, data shuffles, dropout masks and the
// study's generated data all draw from it instead of System.Random, so their output depends only on
// the seed, never on the .NET runtime's Random implementation. Test: Core.Tests/Randomness/SplitMix64Tests.
namespace Med42.Ort.Core.Randomness;

public sealed class SplitMix64(ulong seed)
{
    private double? _spareNormal;

    /// <summary>
    /// The integer state: a generator constructed from it continues the same NextUInt64 / NextDouble
    /// stream (checkpoints save it). A pending Box-Muller spare of <see cref="NextNormal"/> is not part of it.
    /// </summary>
    public ulong State { get; private set; } = seed;

    /// <summary>An independent stream for one purpose ("split", "corpus", ...) derived from a seed.</summary>
    public static SplitMix64 Derive(ulong seed, string purpose)
    {
        var hash = 14695981039346656037UL; // FNV-1a 64-bit offset basis
        foreach (var ch in purpose) { hash ^= ch; hash *= 1099511628211UL; }
        var mixer = new SplitMix64(seed ^ hash);
        return new SplitMix64(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        var z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1): the midpoints of 2^53 equal cells, never 0, so a logarithm of it is finite.</summary>
    public double NextDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1) from 53 bits (Vigna's recommended conversion): P(u &lt; p) is exactly p on the grid.</summary>
    public double NextHalfOpenDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box-Muller; each pair of uniforms gives two normals, the second kept for the next call.</summary>
    public double NextNormal()
    {
        if (_spareNormal is { } s)
        {
            _spareNormal = null;
            return s;
        }
        var r = Math.Sqrt(-2.0 * Math.Log(NextDouble()));
        var a = 2.0 * Math.PI * NextDouble();
        _spareNormal = r * Math.Sin(a);
        return r * Math.Cos(a);
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (rejects the top partial cycle).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        var b = (ulong)bound;
        var zone = ulong.MaxValue - ulong.MaxValue % b; // a multiple of b
        while (true)
        {
            var r = NextUInt64();
            if (r < zone) return (int)(r % b);
        }
    }

    /// <summary>Uniform integer in [min, maxInclusive].</summary>
    public int NextInt(int min, int maxInclusive) => min + NextInt(maxInclusive - min + 1);

    /// <summary>Fisher–Yates shuffle in place, drawing with the unbiased <see cref="NextInt(int)"/>.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
