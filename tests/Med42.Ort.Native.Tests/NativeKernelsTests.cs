// The managed span API end to end: reference and vectorised kernels against naive C# loops written
// from the formulas (RMSNorm, rotate_half, MatMulNBits unpacking, PyTorch AdamW), odd shapes.
using Med42.Ort.Native;
using Med42.Ort.Native.TestSupport;

namespace Med42.Ort.Native.Tests;

public class NativeKernelsTests
{
    [SkippableTheory]
    [InlineData(1, 7)]
    [InlineData(7, 33)]
    [InlineData(123, 100)]
    public void RmsNormMatchesNaiveLoop(int rows, int c)
    {
        NativeRequired.Check();
        var x = TestData.Random(rows * c, 1, -3, 3);
        var w = TestData.Random(c, 2, 0.5f, 1.5f);
        var expected = new float[rows * c];
        for (var r = 0; r < rows; r++)
        {
            double ss = 0;
            for (var j = 0; j < c; j++) ss += (double)x[r * c + j] * x[r * c + j];
            var inv = 1 / Math.Sqrt(ss / c + 1e-5);
            for (var j = 0; j < c; j++) expected[r * c + j] = (float)(x[r * c + j] * inv * w[j]);
        }
        foreach (var kernels in new[] { KernelChoice.Reference, KernelChoice.Vectorised })
        {
            var y = new float[rows * c];
            CpuKernelCalls.RmsNormForward(x, w, rows, c, 1e-5f, y, new float[rows], kernels: kernels);
            // |y| <= ~4.5; fp32 rounding of inv and two products: 1e-5 absolute
            Assert.True(TestData.MaxAbsDiff(y, expected) < 1e-5, $"{kernels}: {TestData.MaxAbsDiff(y, expected)}");
        }
    }

    [SkippableFact]
    public void RotaryHalfMatchesRotateHalfLoop()
    {
        NativeRequired.Check();
        const int rows = 7, h = 3, d = 8;
        var x = TestData.Random(rows * h * d, 3);
        long[] pos = [0, 1, 2, 5, 8, 13, 21];
        var (cos, sin) = TestData.Caches(32, d, 10000);
        var expected = new float[x.Length];
        for (var r = 0; r < rows; r++)
            for (var head = 0; head < h; head++)
                for (var i = 0; i < d; i++)
                {
                    var o = (r * h + head) * d;
                    var f = i % (d / 2);
                    var rot = i < d / 2 ? -x[o + i + d / 2] : x[o + i - d / 2];  // rotate_half
                    expected[o + i] = x[o + i] * cos[pos[r] * (d / 2) + f] + rot * sin[pos[r] * (d / 2) + f];
                }
        var y = new float[x.Length];
        CpuKernelCalls.RotaryForward(x, y, rows, h, d, pos, cos, sin, 0f, RotaryLayout.Half);
        Assert.True(TestData.MaxAbsDiff(y, expected) < 1e-6);  // |terms| <= 1: a couple of fp32 ulps
        var back = new float[x.Length];
        CpuKernelCalls.RotaryBackward(y, back, rows, h, d, pos, cos, sin, 0f, RotaryLayout.Half);
        Assert.True(TestData.MaxAbsDiff(back, x) < 1e-6);  // inverse rotation restores x up to rounding
    }

    [SkippableTheory]
    [InlineData(16, false)]
    [InlineData(32, true)]
    [InlineData(64, true)]
    [InlineData(128, false)]
    public void Int4MatchesNaiveUnpacking(int block, bool zeroPoints)
    {
        NativeRequired.Check();
        const int m = 3, n = 5;
        var k = 2 * block;
        var blocks = k / block;
        var b = TestData.Bytes(n * k / 2, 4);
        var scales = TestData.Random(n * blocks, 5, 0.01f, 0.1f);
        var zp = zeroPoints ? TestData.Bytes(n * ((blocks + 1) / 2), 6) : [];
        var a = TestData.Random(m * k, 7);
        var w = new float[n * k];
        for (var row = 0; row < n; row++)
            for (var kk = 0; kk < k; kk++)
            {
                var byteValue = b[row * k / 2 + kk / 2];
                var q = kk % 2 == 0 ? byteValue & 15 : byteValue >> 4;
                var j = kk / block;
                var z = zeroPoints ? (j % 2 == 0 ? zp[row * ((blocks + 1) / 2) + j / 2] & 15 : zp[row * ((blocks + 1) / 2) + j / 2] >> 4) : 8;
                w[row * k + kk] = (q - z) * scales[row * blocks + j];
            }
        var got = new float[n * k];
        CpuKernelCalls.DequantInt4(b, scales, zp, n, k, block, got);
        Assert.Equal(w, got);  // the same two fp32 operations per element: exact
        var y = new float[m * n];
        CpuKernelCalls.GemmInt4(a, b, scales, zp, m, n, k, block, y);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double acc = 0;
                for (var kk = 0; kk < k; kk++) acc += (double)a[i * k + kk] * w[j * k + kk];
                Assert.True(Math.Abs(y[i * n + j] - acc) < k * 1.5 / (1 << 24), $"y[{i},{j}]");  // fp32 sum of k terms <= 1.5
            }
        var v = new float[n];
        CpuKernelCalls.MatVecInt4(a.AsSpan(0, k), b, scales, zp, n, k, block, v);
        Assert.True(TestData.MaxAbsDiff(v, y.AsSpan(0, n)) < k * 1.5 / (1 << 24));
    }

    [SkippableFact]
    public void AdamWMatchesPyTorchFormulaAndWritesBf16()
    {
        NativeRequired.Check();
        var p = TestData.Random(37, 8);
        var g = TestData.Random(37, 9);
        var m = new float[37];
        var v = new float[37];
        var expected = p.Select(x => (double)x).ToArray();
        var copy = new ushort[37];
        NativeKernels.AdamWStep(p, g, m, v, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, 1, copy, NativeDType.BF16);
        for (var i = 0; i < 37; i++)
        {
            expected[i] *= 1 - 1e-2f * 0.1f;
            double mi = (1 - 0.9f) * g[i], vi = (1 - 0.999f) * (double)g[i] * g[i];
            expected[i] -= 1e-2f * (mi / (1 - 0.9f)) / (Math.Sqrt(vi / (1 - 0.999f)) + 1e-8f);
            Assert.True(Math.Abs(p[i] - expected[i]) < 1e-6, $"p[{i}]");  // |p| <= 1: a few fp32 ulps
            var bf = BitConverter.Int32BitsToSingle(copy[i] << 16);
            Assert.True(Math.Abs(bf - p[i]) <= Math.Abs(p[i]) / 256, $"bf16[{i}]");  // 8-bit mantissa: half-ulp 2^-9
        }
    }
}
