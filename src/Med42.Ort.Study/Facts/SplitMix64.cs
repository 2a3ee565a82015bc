// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference C code at prng.di.unimi.it/splitmix64.c).
// The study's generators use it instead of System.Random so that their output depends only on the
// seed, never on the .NET runtime's Random implementation.
namespace Med42.Ort.Study.Facts;

public sealed class SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>An independent stream for one purpose ("split", "corpus", ...) derived from the study seed.</summary>
    public static SplitMix64 Derive(ulong seed, string purpose)
    {
        var hash = 14695981039346656037UL; // FNV-1a 64-bit offset basis
        foreach (var ch in purpose) { hash ^= ch; hash *= 1099511628211UL; }
        var mixer = new SplitMix64(seed ^ hash);
        return new SplitMix64(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
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

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
