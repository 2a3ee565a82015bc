// RotaryPermutation against its definition (HF's view/transpose written as index arithmetic) and
// against the property it exists for: interleaved rotary on Meta rows == halves rotary on HF rows.
using System.Runtime.InteropServices;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class RotaryPermutationTests
{
    private static float[] Values(int n, int seed) => [.. Enumerable.Range(0, n).Select(i => (float)Math.Sin(seed * 1000 + i * 0.37))];

    private static float[] ToHalves(float[] w, int heads, int d, int cols)
    {
        var dest = new float[w.Length];
        RotaryPermutation.InterleavedToHalves(MemoryMarshal.AsBytes(w.AsSpan()), MemoryMarshal.AsBytes(dest.AsSpan()), heads, d, cols * 4);
        return dest;
    }

    private static float[] ToInterleaved(float[] w, int heads, int d, int cols)
    {
        var dest = new float[w.Length];
        RotaryPermutation.HalvesToInterleaved(MemoryMarshal.AsBytes(w.AsSpan()), MemoryMarshal.AsBytes(dest.AsSpan()), heads, d, cols * 4);
        return dest;
    }

    [Theory]
    [InlineData(3, 6, 5)]
    [InlineData(1, 2, 7)]
    [InlineData(5, 10, 3)]
    [InlineData(2, 4, 1)]
    public void MatchesHfViewTranspose(int heads, int d, int cols)
    {
        var w = Values(heads * d * cols, heads);
        // w.view(heads, d/2, 2, cols).transpose(1, 2).reshape(heads*d, cols), element by element.
        var expected = new float[w.Length];
        for (var h = 0; h < heads; h++)
            for (var i = 0; i < d / 2; i++)
                for (var j = 0; j < 2; j++)
                    for (var c = 0; c < cols; c++)
                        expected[((h * 2 + j) * (d / 2) + i) * cols + c] = w[((h * (d / 2) + i) * 2 + j) * cols + c];
        Assert.Equal(expected, ToHalves(w, heads, d, cols));
    }

    [Theory]
    [InlineData(3, 6, 5)]
    [InlineData(7, 14, 9)]
    [InlineData(1, 2, 1)]
    public void InverseComposesToIdentity(int heads, int d, int cols)
    {
        var w = Values(heads * d * cols, d);
        Assert.Equal(w, ToInterleaved(ToHalves(w, heads, d, cols), heads, d, cols));
        Assert.Equal(w, ToHalves(ToInterleaved(w, heads, d, cols), heads, d, cols));
    }

    [Fact]
    public void InterleavedRotaryOnMetaRowsEqualsHalvesRotaryOnHfRows()
    {
        const int heads = 3, d = 6, cols = 5, pos = 7;
        var wq = Values(heads * d * cols, 1);
        var wk = Values(heads * d * cols, 2);
        var x = Values(cols, 3);
        double[] Project(float[] w) => [.. Enumerable.Range(0, heads * d).Select(r => Enumerable.Range(0, cols).Sum(c => (double)w[r * cols + c] * x[c]))];
        double Angle(int i) => pos * Math.Pow(10000, -2.0 * i / d);
        double[] RotateInterleaved(double[] v) // llama2.c run.c: pairs (2i, 2i+1)
        {
            var o = (double[])v.Clone();
            for (var h = 0; h < heads; h++)
                for (var i = 0; i < d / 2; i++)
                {
                    var (a, b) = (v[h * d + 2 * i], v[h * d + 2 * i + 1]);
                    var (cos, sin) = (Math.Cos(Angle(i)), Math.Sin(Angle(i)));
                    o[h * d + 2 * i] = a * cos - b * sin;
                    o[h * d + 2 * i + 1] = a * sin + b * cos;
                }
            return o;
        }
        double[] RotateHalves(double[] v) // HF rotate_half: pairs (i, i + d/2)
        {
            var o = (double[])v.Clone();
            for (var h = 0; h < heads; h++)
                for (var i = 0; i < d / 2; i++)
                {
                    var (a, b) = (v[h * d + i], v[h * d + i + d / 2]);
                    var (cos, sin) = (Math.Cos(Angle(i)), Math.Sin(Angle(i)));
                    o[h * d + i] = a * cos - b * sin;
                    o[h * d + i + d / 2] = a * sin + b * cos;
                }
            return o;
        }
        var qMeta = RotateInterleaved(Project(wq));
        var kMeta = RotateInterleaved(Project(wk));
        var qHf = RotateHalves(Project(ToHalves(wq, heads, d, cols)));
        var kHf = RotateHalves(Project(ToHalves(wk, heads, d, cols)));
        for (var h = 0; h < heads; h++)
        {
            var metaScore = Enumerable.Range(0, d).Sum(r => qMeta[h * d + r] * kMeta[h * d + r]);
            var hfScore = Enumerable.Range(0, d).Sum(r => qHf[h * d + r] * kHf[h * d + r]);
            // Same products summed in another order: float64 rounding only.
            Assert.Equal(metaScore, hfScore, 1e-12);
        }
    }
}
