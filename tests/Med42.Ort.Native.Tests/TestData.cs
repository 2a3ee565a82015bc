// Deterministic inputs and error measures shared by the native tests.
namespace Med42.Ort.Native.Tests;

internal static class TestData
{
    public static float[] Random(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (var i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.NextSingle();
        return v;
    }

    public static byte[] Bytes(int n, int seed)
    {
        var v = new byte[n];
        new Random(seed).NextBytes(v);
        return v;
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(b.Length, a.Length);
        double worst = 0;
        for (var i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }

    /// <summary>cos/sin caches [maxPosition, D/2] for theta, in double then rounded (ORT RotaryEmbedding layout).</summary>
    public static (float[] Cos, float[] Sin) Caches(int maxPosition, int headDim, double theta)
    {
        var half = headDim / 2;
        var cos = new float[maxPosition * half];
        var sin = new float[maxPosition * half];
        for (var p = 0; p < maxPosition; p++)
            for (var i = 0; i < half; i++)
            {
                var a = p * Math.Pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = (float)Math.Cos(a);
                sin[p * half + i] = (float)Math.Sin(a);
            }
        return (cos, sin);
    }
}
