// The CPU references against ONNX Runtime's own ops as independent oracles:
// SimplifiedLayerNormalization (RMSNorm), com.microsoft RotaryEmbedding and com.microsoft MatMulNBits.
using Med42.Ort.Native;
using Med42.Ort.Native.TestSupport;
using static Med42.Ort.Native.Tests.TinyModel;

namespace Med42.Ort.Native.Tests;

public class OrtOracleTests
{
    [SkippableTheory]
    [InlineData(1, 7)]
    [InlineData(7, 33)]
    [InlineData(123, 100)]
    public void RmsNormMatchesSimplifiedLayerNormalization(int rows, int c)
    {
        NativeRequired.Check();
        var x = TestData.Random(rows * c, 11, -3, 3);
        var w = TestData.Random(c, 12, 0.5f, 1.5f);
        var ort = new TinyModel().Input("x", x, rows, c).Input("w", w, c)
            .Node("SimplifiedLayerNormalization", ["x", "w"], ["y"], "", Attr("axis", -1L), Attr("epsilon", 1e-5f))
            .Output("y").Run()[0];
        var y = new float[rows * c];
        CpuKernelCalls.RmsNormForward(x, w, rows, c, 1e-5f, y, new float[rows], kernels: KernelChoice.Reference);
        // ORT accumulates in fp32 (vectorised MLAS), we in double: |y| <= ~4.5, so 2e-5 absolute
        Assert.True(TestData.MaxAbsDiff(y, ort) < 2e-5, $"max diff {TestData.MaxAbsDiff(y, ort)}");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void RotaryMatchesRotaryEmbedding(bool interleaved)
    {
        NativeRequired.Check();
        const int batch = 2, seq = 7, heads = 3, d = 16, maxPos = 64;
        var x = TestData.Random(batch * seq * heads * d, 13);
        var pos = new long[batch * seq];
        for (var i = 0; i < pos.Length; i++) pos[i] = (i * 5 + 2) % maxPos;
        var (cos, sin) = TestData.Caches(maxPos, d, 10000);
        var ort = new TinyModel().Opset("com.microsoft", 1)
            .Input("x", x, batch, seq, heads * d).Input("pos", pos, batch, seq)
            .Input("cos", cos, maxPos, d / 2).Input("sin", sin, maxPos, d / 2)
            .Node("RotaryEmbedding", ["x", "pos", "cos", "sin"], ["y"], "com.microsoft",
                Attr("interleaved", interleaved ? 1L : 0L), Attr("num_heads", (long)heads))
            .Output("y").Run()[0];
        var y = new float[x.Length];
        CpuKernelCalls.RotaryForward(x, y, batch * seq, heads, d, pos, cos, sin, 0f,
            interleaved ? RotaryLayout.Interleaved : RotaryLayout.Half, KernelChoice.Reference);
        // same caches, two products and one add per element: 1e-6 absolute for |terms| <= 1
        Assert.True(TestData.MaxAbsDiff(y, ort) < 1e-6, $"max diff {TestData.MaxAbsDiff(y, ort)}");
    }

    [SkippableTheory]
    [InlineData(16, false)]
    [InlineData(32, true)]
    [InlineData(64, false)]
    [InlineData(128, true)]
    public void GemmInt4MatchesMatMulNBits(int block, bool zeroPoints)
    {
        NativeRequired.Check();
        const int m = 5, n = 9;
        var k = 3 * block;
        var blocks = k / block;
        var b = TestData.Bytes(n * k / 2, 14);
        var scales = TestData.Random(n * blocks, 15, 0.01f, 0.1f);
        var zp = TestData.Bytes(n * ((blocks + 1) / 2), 16);
        var a = TestData.Random(m * k, 17);
        var model = new TinyModel().Opset("com.microsoft", 1)
            .Input("a", a, m, k).Input("b", b, n, blocks, block / 2).Input("scales", scales, n * blocks);
        if (zeroPoints) model.Input("zp", zp, n * ((blocks + 1) / 2));
        var ort = model.Node("MatMulNBits", zeroPoints ? ["a", "b", "scales", "zp"] : ["a", "b", "scales"], ["y"], "com.microsoft",
                Attr("K", (long)k), Attr("N", (long)n), Attr("bits", 4L), Attr("block_size", (long)block))
            .Output("y").Run()[0];
        var y = new float[m * n];
        CpuKernelCalls.GemmInt4(a, b, scales, zeroPoints ? zp : [], m, n, k, block, y, KernelChoice.Reference);
        // fp32 GEMM in ORT vs double here: K terms of |a*w| <= 1.5 -> K * 1.5 * 2^-24, x4 for MLAS blocking
        var tol = 4.0 * k * 1.5 / (1 << 24);
        Assert.True(TestData.MaxAbsDiff(y, ort) < tol, $"max diff {TestData.MaxAbsDiff(y, ort)} tol {tol}");
    }
}
