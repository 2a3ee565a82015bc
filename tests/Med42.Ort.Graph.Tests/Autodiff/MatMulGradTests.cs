// MatMul / Gemm / FusedMatMul gradient rules against central finite differences.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Tests.Shared.Autodiff;

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
        Value Reference(GraphBuilder b, Value[] x)
        {
            var a = transA ? b.Transpose(x[0], 0, 2, 1) : x[0];
            var w = transB ? b.Transpose(x[1], 1, 0) : x[1];
            return b.Mul(b.MatMul(a, w), b.Scalar(alpha, DType.F64));
        }
        GradCheck.CheckAgainstReference((b, x) => b.FusedMatMul(x[0], x[1], alpha, transA, transB), Reference, inputs, seed: 3);
    }
}
