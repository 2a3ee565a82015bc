// The trainer's fused AdamW on libmed42_native (m42_adamw_step, double per element) gives the same update
// as the C# AdamW (AdamW.cs, float per element) — two implementations of torch.optim.AdamW — over several
// steps, with and without weight decay. Run: dotnet test tests/Med42.Ort.Training.Tests --filter NativeAdamW
using Med42.Ort.Native;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Kernels;

public class NativeAdamWTests
{
    [SkippableTheory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void NativeStepMatchesCSharpAdamW(double weightDecay)
    {
        NativeRequired.NativeKernels();
        Assert.True(FusedAdamW.UsesNative);
        const int n = 1000;
        const double lr = 1e-2;
        var o = new AdamWOptions(0.9, 0.999, 1e-8, weightDecay);
        var rng = new Random(5);
        float R() => (float)(rng.NextDouble() * 2 - 1);
        var p0 = Enumerable.Range(0, n).Select(_ => R()).ToArray();
        var (pN, mN, vN) = ((float[])p0.Clone(), new float[n], new float[n]);
        var (pC, mC, vC) = ((float[])p0.Clone(), new float[n], new float[n]);
        for (var t = 1; t <= 5; t++)
        {
            var g = Enumerable.Range(0, n).Select(_ => R()).ToArray();
            FusedAdamW.Step(pN, g, mN, vN, lr, t, o, decay: true);
            AdamW.Step(pC, g, mC, vC, lr, t, o, decay: true);
        }
        // Each step moves p by about lr; the two differ by float-vs-double rounding of m, v and the bias
        // corrections (the native API takes β as float: (float)0.999 shifts 1−β2 by ~1.3e-5 relative), so
        // 5 steps stay within 1e-4·lr of each other, plus 2 ulp of |p| ≤ ~1.1 for the final rounding.
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(pN[i] - pC[i]) <= 1e-4 * lr + 2.5e-7, $"p[{i}]: native {pN[i]:R} vs C# {pC[i]:R}");
            Assert.True(Math.Abs(mN[i] - mC[i]) <= 1e-6, $"m[{i}]");
            Assert.True(Math.Abs(vN[i] - vC[i]) <= 1e-6, $"v[{i}]");
            Assert.NotEqual(p0[i], pN[i]);
        }
    }

    [SkippableFact]
    public void DecayFalseSkipsWeightDecay()
    {
        NativeRequired.NativeKernels();
        // Zero gradient and zero moments: the Adam term is 0, so p changes only through decay, p·(1 − lr·λ).
        var p = new[] { 1f, -2f };
        var (m, v) = (new float[2], new float[2]);
        FusedAdamW.Step(p, new float[2], m, v, 0.1, 1, new AdamWOptions(WeightDecay: 0.5), decay: false);
        Assert.Equal([1f, -2f], p);
        FusedAdamW.Step(p, new float[2], m, v, 0.1, 2, new AdamWOptions(WeightDecay: 0.5), decay: true);
        // p·(1 − lr·λ) = p·0.95; 6 decimals ≈ float32 precision at |p| ≤ 2.
        Assert.Equal(0.95f, p[0], 6);
        Assert.Equal(-1.9f, p[1], 6);
    }
}
