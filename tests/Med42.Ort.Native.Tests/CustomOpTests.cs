// libmed42_ort_ops (domain ai.med42) loaded into an InferenceSession via
// SessionOptions.RegisterCustomOpLibrary gives the same results as plain-ONNX graphs of the same math:
// RMSNorm as Pow/ReduceMean/Add/Sqrt/Div/Mul, rotary as Slice/Neg/Concat/Mul/Add, MatMulInt4 as MatMulNBits.
using static Med42.Ort.Native.Tests.TinyModel;

namespace Med42.Ort.Native.Tests;

public class CustomOpTests
{
    private const string Domain = "ai.med42";

    [SkippableTheory]
    [InlineData(1, 7)]
    [InlineData(123, 100)]
    public void RmsNormMatchesPlainOpGraph(int rows, int c)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var x = TestData.Random(rows * c, 21, -3, 3);
        var w = TestData.Random(c, 22, 0.5f, 1.5f);
        var custom = new TinyModel().Opset(Domain, 1).Input("x", x, rows, c).Input("w", w, c)
            .Node("RmsNorm", ["x", "w"], ["y", "inv"], Domain, Attr("epsilon", 1e-5f))
            .Output("y").Output("inv").Run(lib);
        var plain = new TinyModel().Input("x", x, rows, c).Input("w", w, c).ConstFloat("two", 2f).ConstFloat("eps", 1e-5f)
            .Node("Pow", ["x", "two"], ["sq"]).Node("ReduceMean", ["sq"], ["ms"], "", Attr("axes", new long[] { -1 }), Attr("keepdims", 1L))
            .Node("Add", ["ms", "eps"], ["mse"]).Node("Sqrt", ["mse"], ["rms"]).Node("Div", ["x", "rms"], ["xn"])
            .Node("Mul", ["xn", "w"], ["y"]).Output("y").Run()[0];
        // fp32 composite (separate roundings of mean, sqrt, div) vs fused: |y| <= ~4.5 -> 2e-5 absolute
        Assert.True(TestData.MaxAbsDiff(custom[0], plain) < 2e-5, $"max diff {TestData.MaxAbsDiff(custom[0], plain)}");
        Assert.Equal(rows, custom[1].Length);
    }

    // HF rotary with full-width cos/sin [rows, 1, D] (each frequency repeated over both halves).
    private static float[] PlainRotary(float[] x, int rows, int h, int d, float[] cosFull, float[] sinFull)
    {
        return new TinyModel().Input("x", x, rows, h, d).Input("cos", cosFull, rows, 1, d).Input("sin", sinFull, rows, 1, d)
            .ConstInt64("s0", 0).ConstInt64("mid", d / 2).ConstInt64("end", d).ConstInt64("ax", 2)
            .Node("Slice", ["x", "s0", "mid", "ax"], ["x1"]).Node("Slice", ["x", "mid", "end", "ax"], ["x2"])
            .Node("Neg", ["x2"], ["nx2"]).Node("Concat", ["nx2", "x1"], ["rot"], "", Attr("axis", 2L))
            .Node("Mul", ["x", "cos"], ["a"]).Node("Mul", ["rot", "sin"], ["b"]).Node("Add", ["a", "b"], ["y"])
            .Output("y").Run()[0];
    }

    [SkippableFact]
    public void RotaryAndRotaryGradMatchPlainOpGraph()
    {
        var lib = NativeRequired.OrtOpsLibrary();
        const int rows = 9, h = 2, d = 8, maxPos = 16;
        var x = TestData.Random(rows * h * d, 23);
        var pos = Enumerable.Range(0, rows).Select(i => (long)((i * 3) % maxPos)).ToArray();
        var (cos, sin) = TestData.Caches(maxPos, d, 10000);
        var cosFull = new float[rows * d];
        var sinFull = new float[rows * d];
        var negSinFull = new float[rows * d];
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < d; i++)
            {
                cosFull[r * d + i] = cos[pos[r] * (d / 2) + i % (d / 2)];
                sinFull[r * d + i] = sin[pos[r] * (d / 2) + i % (d / 2)];
                negSinFull[r * d + i] = -sinFull[r * d + i];
            }
        foreach (var (op, sinUsed) in new[] { ("Rotary", sinFull), ("RotaryGrad", negSinFull) })
        {
            var custom = new TinyModel().Opset(Domain, 1).Input("x", x, rows, h, d).Input("pos", pos, rows)
                .Input("cos", cos, maxPos, d / 2).Input("sin", sin, maxPos, d / 2)
                .Node(op, ["x", "pos", "cos", "sin"], ["y"], Domain, Attr("interleaved", 0L)).Output("y").Run(lib)[0];
            var plain = PlainRotary(x, rows, h, d, cosFull, sinUsed);
            // identical products up to FMA contraction: 1e-6 absolute for |terms| <= 1
            Assert.True(TestData.MaxAbsDiff(custom, plain) < 1e-6, $"{op}: {TestData.MaxAbsDiff(custom, plain)}");
        }
    }

    [SkippableTheory]
    [InlineData(32, true)]
    [InlineData(128, false)]
    public void MatMulInt4MatchesMatMulNBits(int block, bool zeroPoints)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        const int m = 4, n = 6;
        var k = 2 * block;
        var blocks = k / block;
        var a = TestData.Random(m * k, 24);
        var b = TestData.Bytes(n * k / 2, 25);
        var scales = TestData.Random(n * blocks, 26, 0.01f, 0.1f);
        var zp = TestData.Bytes(n * ((blocks + 1) / 2), 27);
        string[] inputs = zeroPoints ? ["a", "b", "scales", "zp"] : ["a", "b", "scales"];
        TinyModel Build(string op, string domain)
        {
            var model = new TinyModel().Opset(domain, 1).Input("a", a, m, k).Input("b", b, n, blocks, block / 2).Input("scales", scales, n * blocks);
            if (zeroPoints) model.Input("zp", zp, n * ((blocks + 1) / 2));
            var attrs = new List<Onnx.AttributeProto> { Attr("K", (long)k), Attr("N", (long)n), Attr("block_size", (long)block) };
            if (op == "MatMulNBits") attrs.Add(Attr("bits", 4L));
            return model.Node(op, inputs, ["y"], domain, [.. attrs]).Output("y");
        }
        var custom = Build("MatMulInt4", Domain).Run(lib)[0];
        var nbits = Build("MatMulNBits", "com.microsoft").Run()[0];
        var tol = 4.0 * k * 1.5 / (1 << 24);  // two fp32 GEMMs of K terms |a*w| <= 1.5, x4 for blocking order
        Assert.True(TestData.MaxAbsDiff(custom, nbits) < tol, $"{TestData.MaxAbsDiff(custom, nbits)}");
    }

    [SkippableFact]
    public void BadShapesComeBackAsOrtErrorsNotCrashes()
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var model = new TinyModel().Opset(Domain, 1).Input("x", new float[8], 2, 4).Input("w", new float[3], 3)
            .Node("RmsNorm", ["x", "w"], ["y", "inv"], Domain).Output("y").Output("inv");
        var e = Assert.ThrowsAny<Exception>(() => model.Run(lib));
        Assert.Contains("W must have C = 4", e.Message);
    }
}
