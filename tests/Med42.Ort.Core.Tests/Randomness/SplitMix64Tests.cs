// SplitMix64 against two independent oracles: the first outputs of Vigna's splitmix64.c (published on
// Rosetta Code's "Pseudo-random numbers/Splitmix64" task for seed 1234567, and produced by compiling
// the reference C file for seed 0), and a naive BigInteger transcription of that C code (arithmetic
// mod 2^64 written out, no ulong wrap-around). Then the properties its users rely on: the two double
// conversions, a resumable State, normals, unbiased integers, shuffles and derived streams.
using System.Numerics;
using Med42.Ort.Core.Randomness;

namespace Med42.Ort.Core.Tests.Randomness;

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

    [Fact]
    public void MatchesThePublishedSequenceForSeed1234567()
    {
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, expected.Select(_ => rng.NextUInt64()));
    }

    [Fact]
    public void MatchesTheReferenceCOutputForSeed0()
    {
        var rng = new SplitMix64(0);
        ulong[] expected = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC, 0x1B39896A51A8749B];
        Assert.Equal(expected, expected.Select(_ => rng.NextUInt64()));
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
    public void HalfOpenDoublesMatchThePublishedBucketCounts()
    {
        // Rosetta Code, seed 987654321: floor(5·u) over 100000 draws of u = (next() >> 11)·2^-53.
        var rng = new SplitMix64(987654321);
        var counts = new int[5];
        for (var i = 0; i < 100_000; i++) counts[(int)(rng.NextHalfOpenDouble() * 5)]++;
        Assert.Equal([20027, 19892, 20073, 19978, 20030], counts);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(42UL)]
    public void DoublesAreThe53HighBitsOfTheIntegerStream(ulong seed)
    {
        // The open conversion is the half-open one shifted by half a cell (2^-54): never 0, never 1.
        var open = new SplitMix64(seed);
        var halfOpen = new SplitMix64(seed);
        var ints = new SplitMix64(seed);
        for (var i = 0; i < 1000; i++)
        {
            var bits = ints.NextUInt64() >> 11;
            Assert.Equal(bits * Math.ScaleB(1, -53), halfOpen.NextHalfOpenDouble());
            var u = open.NextDouble();
            Assert.Equal((bits + 0.5) * Math.ScaleB(1, -53), u);
            Assert.InRange(u, Math.ScaleB(1, -54), 1 - Math.ScaleB(1, -54));
        }
    }

    [Fact]
    public void AGeneratorBuiltFromStateContinuesTheStream()
    {
        var a = new SplitMix64(99);
        for (var i = 0; i < 17; i++) a.NextUInt64();
        var b = new SplitMix64(a.State);
        for (var i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void NormalsComeInBoxMullerPairs()
    {
        // Box-Muller from the two open uniforms u1, u2: r·cos(2πu2), then r·sin(2πu2), r = √(−2 ln u1).
        var rng = new SplitMix64(5);
        var uniforms = new SplitMix64(5);
        for (var i = 0; i < 100; i++)
        {
            var r = Math.Sqrt(-2.0 * Math.Log(uniforms.NextDouble()));
            var a = 2.0 * Math.PI * uniforms.NextDouble();
            Assert.Equal(r * Math.Cos(a), rng.NextNormal());
            Assert.Equal(r * Math.Sin(a), rng.NextNormal());
        }
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
