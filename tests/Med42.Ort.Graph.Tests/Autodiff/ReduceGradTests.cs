using Med42.Ort.Tests.Shared.Autodiff;
// ReduceSum / ReduceMean / Softmax / LogSoftmax gradient rules against central finite differences.
namespace Med42.Ort.Graph.Tests.Autodiff;

public class ReduceGradTests
{
    private static readonly GradInput X = new([2, 3, 4]);

    [Theory]
    [InlineData(new long[] { -1 }, true)]
    [InlineData(new long[] { 0, 2 }, false)]
    [InlineData(new long[] { 1 }, false)]
    public void ReduceSum(long[] axes, bool keep) => GradCheck.Check((b, x) => b.ReduceSum(x[0], axes, keep), X);

    [Theory]
    [InlineData(new long[] { -1 }, true)]
    [InlineData(new long[] { 0, 2 }, false)]
    [InlineData(new long[] { 0, 1, 2 }, false)]
    public void ReduceMean(long[] axes, bool keep) => GradCheck.Check((b, x) => b.ReduceMean(x[0], axes, keep), X);

    [Fact]
    public void ReduceMeanOverSymbolicAxisCountsAtRunTime() =>
        GradCheck.Check((b, x) => b.ReduceMean(x[0], [0], keepDims: false), new GradInput([3, 4], [Ir.Dim.Sym("n"), 4]));

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void Softmax(long axis) => GradCheck.Check((b, x) => b.Softmax(x[0], axis), X with { Lo = -3, Hi = 3 });

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void LogSoftmax(long axis) => GradCheck.Check((b, x) => b.LogSoftmax(x[0], axis), X with { Lo = -3, Hi = 3 });
}
