// SplitMix64 against a naive BigInteger transcription of Vigna's splitmix64.c (arithmetic mod 2^64
// written out, no ulong wrap-around), plus the properties the generators rely on.
using System.Numerics;
using Med42.Ort.Study.Facts;

namespace Med42.Ort.Study.Tests.Facts;

public class SplitMix64Tests
{
    private static readonly BigInteger Mod = BigInteger.One << 64;

    private static IEnumerable<ulong> Reference(ulong seed)
    {
        var x = new BigInteger(seed);
        while (true)
        {
            x = (x + BigInteger.Parse("11400714819323198485")) % Mod; // 0x9E3779B97F4A7C15
            var z = x;
            z = ((z ^ (z >> 30)) * BigInteger.Parse("13787848793156543929")) % Mod; // 0xBF58476D1CE4E5B9
            z = ((z ^ (z >> 27)) * BigInteger.Parse("10723151780598845931")) % Mod; // 0x94D049BB133111EB
            yield return (ulong)(z ^ (z >> 31));
        }
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1234567UL)]
    [InlineData(ulong.MaxValue)]
    public void MatchesNaiveReference(ulong seed)
    {
        var rng = new SplitMix64(seed);
        foreach (var expected in Reference(seed).Take(1000)) Assert.Equal(expected, rng.NextUInt64());
    }

    [Fact]
    public void NextIntStaysInRangeAndHitsEveryValue()
    {
        var rng = new SplitMix64(7);
        var counts = new int[7];
        for (var i = 0; i < 7000; i++) counts[rng.NextInt(7)]++;
        // Expected 1000 each; 4 standard deviations of a binomial(7000, 1/7) is about 117.
        Assert.All(counts, c => Assert.InRange(c, 1000 - 117, 1000 + 117));
    }

    [Fact]
    public void ShuffleIsAPermutationAndDependsOnTheSeed()
    {
        var a = Enumerable.Range(0, 50).ToList();
        var b = Enumerable.Range(0, 50).ToList();
        new SplitMix64(1).Shuffle(a);
        new SplitMix64(2).Shuffle(b);
        Assert.Equal(Enumerable.Range(0, 50), a.Order());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void DerivedStreamsDifferByPurpose()
    {
        Assert.NotEqual(SplitMix64.Derive(5, "split").NextUInt64(), SplitMix64.Derive(5, "corpus").NextUInt64());
        Assert.Equal(SplitMix64.Derive(5, "split").NextUInt64(), SplitMix64.Derive(5, "split").NextUInt64());
    }
}
