// MatMul / Gemm / FusedMatMul gradient rules against central finite differences.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Tests.Autodiff;

public class MatMulGradTests
{
    [Fact] public void MatMul2D() => GradCheck.Check((b, x) => b.MatMul(x[0], x[1]), new GradInput([3, 4]), new GradInput([4, 5]));
    [Fact] public void MatMulBatchedTimesMatrix() => GradCheck.Check((b, x) => b.MatMul(x[0], x[1]), new GradInput([2, 3, 4]), new GradInput([4, 5]));
    [Fact] public void MatMulBatchBroadcast() => GradCheck.Check((b, x) => b.MatMul(x[0], x[1]), new GradInput([2, 1, 3, 4]), new GradInput([3, 4, 2]));
    [Fact] public void MatMulMatrixTimesBatched() => GradCheck.Check((b, x) => b.MatMul(x[0], x[1]), new GradInput([3, 4]), new GradInput([2, 4, 5]));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GemmWithTransposesAlphaBeta(bool transA, bool transB) =>
        GradCheck.Check((b, x) => b.Gemm(x[0], x[1], x[2], 0.7, 1.3, transA, transB),
            new GradInput(transA ? [4, 3] : [3, 4]), new GradInput(transB ? [5, 4] : [4, 5]), new GradInput([5]));

    // FusedMatMul exists only for float32 on ORT CPU: its float32 gradient is compared with central
    // differences of the same function written as float64 Transpose/MatMul/Mul.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void FusedMatMulMatchesFloat64Reference(bool transA, bool transB)
    {
        GradInput[] inputs = [new(transA ? [2, 4, 3] : [2, 3, 4]), new(transB ? [5, 4] : [4, 5])];
        const double alpha = 0.7;
        var (_, fused, rShape) = GradCheck.Build(DType.F32, (b, x) => b.FusedMatMul(x[0], x[1], alpha, transA, transB), inputs);
        Value Reference(GraphBuilder b, Value[] x)
        {
            var a = transA ? b.Transpose(x[0], 0, 2, 1) : x[0];
            var w = transB ? b.Transpose(x[1], 1, 0) : x[1];
            return b.Mul(b.MatMul(a, w), b.Scalar(alpha, DType.F64));
        }
        var (forward, _, _) = GradCheck.Build(DType.F64, Reference, inputs);
        var rng = new Random(3);
        var values = inputs.Select(i => GradCheck.Random(rng, GradCheck.Count(i.Shape), -1, 1)).ToArray();
        var r = GradCheck.Random(rng, GradCheck.Count(rShape), -1, 1);
        // Values are fed to the float32 graph rounded to float32; compare at float32's precision:
        // sums of ≤ 8 products of O(1) terms carry ~1e-6 relative rounding, 1e-4 leaves margin.
        var analytic = GradCheck.Run(fused, inputs, values.Select(v => v.Select(x => (double)(float)x).ToArray()).ToArray(), rShape,
            r.Select(x => (double)(float)x).ToArray(), ["x0_grad", "x1_grad"], DType.F32);
        using var f = new Runtime.SessionSettings().CreateSession(forward);
        for (var i = 0; i < inputs.Length; i++)
            for (var j = 0; j < values[i].Length; j++)
                GradCheck.AssertClose(analytic[i][j], GradCheck.Central(f, inputs, values, rShape, r, i, j), $"d/dx{i}[{j}]", 1e-4);
    }
}
