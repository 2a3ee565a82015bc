// Gather (embedding, repeated ids), GatherElements and SoftmaxCrossEntropyLoss (ignore_index) rules
// against central finite differences.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Tests.Shared.Autodiff;

namespace Med42.Ort.Graph.Tests.Autodiff;

public class GatherGradTests
{
    [Fact]
    public void GatherAccumulatesRepeatedIds()
    {
        // Ids 2 and 4 repeat (2 three times): their rows must receive the sum of every lookup's gradient.
        GradCheck.Check((b, x) => b.Gather(x[0], GradCheck.Ints(b, [2, 3], 2, 0, 2, 4, 2, 4)), new GradInput([5, 3]));
    }

    [Fact]
    public void GatherOfScalarIndex() => GradCheck.Check((b, x) => b.Gather(x[0], b.IntScalar(1)), new GradInput([4, 3]));

    [Fact]
    public void GatherElementsWithRepeats() =>
        GradCheck.Check((b, x) => b.GatherElements(x[0], GradCheck.Ints(b, [2, 3], 0, 0, 3, 1, 1, 1), 1), new GradInput([2, 4]));

    // One index per position along the last axis (the training loss's log p(label) pick): the Where-based rule.
    [Fact]
    public void GatherElementsOneIndexPerPositionLastAxis() =>
        GradCheck.Check((b, x) => b.GatherElements(x[0], GradCheck.Ints(b, [2, 3, 1], 4, 0, 2, 2, 1, 4), 2), new GradInput([2, 3, 5]));

    // The same along a middle axis.
    [Fact]
    public void GatherElementsOneIndexPerPositionMiddleAxis() =>
        GradCheck.Check((b, x) => b.GatherElements(x[0], GradCheck.Ints(b, [2, 1, 3], 1, 0, 3, 3, 2, 0), 1), new GradInput([2, 4, 3]));

    [Theory]
    [InlineData("mean")]
    [InlineData("sum")]
    [InlineData("none")]
    public void SoftmaxCrossEntropyLossSkipsIgnoredTargets(string reduction)
    {
        // Two of six targets are −100: "mean" must divide by 4, and the ignored rows get zero gradient.
        GradCheck.Check((b, x) => b.SoftmaxCrossEntropyLoss(x[0], GradCheck.Ints(b, [6], 3, -100, 0, 3, -100, 1), -100, reduction),
            new GradInput([6, 4], Lo: -2, Hi: 2));
    }

    [Fact]
    public void SoftmaxCrossEntropyLossWithSpatialDims() =>
        GradCheck.Check((b, x) => b.SoftmaxCrossEntropyLoss(x[0], GradCheck.Ints(b, [2, 3], 0, 2, -100, 1, 1, 2), -100),
            new GradInput([2, 3, 3], Lo: -2, Hi: 2));

    [Fact]
    public void SoftmaxCrossEntropyLossWithoutIgnoreIndex() =>
        GradCheck.Check((b, x) => b.SoftmaxCrossEntropyLoss(x[0], GradCheck.Ints(b, [3], 0, 2, 2), null, "mean"), new GradInput([3, 3]));

    [Fact]
    public void SoftmaxCrossEntropyLossLogProbOutput() =>
        GradCheck.Check((b, x) => b.OpN("SoftmaxCrossEntropyLoss", [x[0], GradCheck.Ints(b, [3], 0, 2, 1)],
            [(DType.F64, []), (DType.F64, x[0].Shape)], new Dictionary<string, Ir.Attr> { ["reduction"] = "mean" })[1], new GradInput([3, 4]));
}
