// Shape-manipulating gradient rules (Reshape, Transpose, Slice, Concat, Split, Unsqueeze, Squeeze,
// Expand) against central finite differences.
using Med42.Ort.Graph.Ir;
using Med42.Ort.Tests.Shared.Autodiff;

namespace Med42.Ort.Graph.Tests.Autodiff;

public class ShapeGradTests
{
    private static readonly GradInput X = new([2, 3, 4]);

    [Fact] public void Reshape() => GradCheck.Check((b, x) => b.Reshape(x[0], [0, 2, -1]), X);
    [Fact] public void Transpose() => GradCheck.Check((b, x) => b.Transpose(x[0], 2, 0, 1), X);
    [Fact] public void Unsqueeze() => GradCheck.Check((b, x) => b.Unsqueeze(x[0], 1, -1), X);
    [Fact] public void Squeeze() => GradCheck.Check((b, x) => b.Squeeze(x[0], 1), new GradInput([2, 1, 3]));
    [Fact] public void Expand() => GradCheck.Check((b, x) => b.Expand(x[0], b.Ints(2, 3, 4), [2, 3, 4]), new GradInput([3, 1]));
    [Fact] public void SliceStatic() => GradCheck.Check((b, x) => b.Slice(x[0], [1, 0], [3, -1], [2, 1]), X);

    [Fact]
    public void SliceOnSymbolicDimToTheEnd() =>
        GradCheck.Check((b, x) => b.Reshape(b.Slice(x[0], [1], [long.MaxValue], [0]), [2, 3]), new GradInput([3, 3], [Dim.Sym("n"), 3]));

    [Fact] public void ConcatOfThreeWithOddSizes() => GradCheck.Check((b, x) => b.Concat(1, x[0], x[1], x[0]), new GradInput([2, 1, 3]), new GradInput([2, 4, 3]));

    [Fact]
    public void ConcatOnSymbolicAxisSplitsAtRunTime() =>
        GradCheck.Check((b, x) => b.Reshape(b.Concat(0, x[0], x[1]), [5, 2]), new GradInput([2, 2], [Dim.Sym("n"), 2]), new GradInput([3, 2], [Dim.Sym("m"), 2]));

    [Fact]
    public void SplitWithAllPartsUsed() => GradCheck.Check((b, x) =>
    {
        var parts = b.Split(x[0], -1, 1, 3);
        return b.Mul(parts[1], parts[0]);
    }, X);

    [Fact]
    public void SplitWithAnUnusedPartGetsZeros() => GradCheck.Check((b, x) => b.Split(x[0], 1, 2, 1)[0], X);
}
