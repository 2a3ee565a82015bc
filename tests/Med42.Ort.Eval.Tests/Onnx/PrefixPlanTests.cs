// PrefixPlan: a question's options share one prefix run; different questions do not; the prefix never
// reaches a scored position; batches respect the row budget without splitting a group.
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Requests;

namespace Med42.Ort.Eval.Tests.Onnx;

public class PrefixPlanTests
{
    private static TokenRequest R(int[] context, int[] continuation) =>
        new([.. context, .. continuation[..^1]], continuation);

    [Fact]
    public void OptionsOfOneQuestionShareTheirContext()
    {
        int[] q1 = [1, 10, 11, 12, 13, 14], q2 = [1, 20, 21, 22, 23];
        var requests = new[]
        {
            R(q1, [5]), R(q1, [6, 7]), R(q1, [8, 9, 9]),
            R(q2, [5]), R(q2, [6]),
            new TokenRequest([1, 2], []), // merged into the context: no targets, no group
        };
        var groups = PrefixPlan.Group(requests);
        Assert.Equal(2, groups.Count);
        Assert.Equal([0, 1, 2], groups[0].Members);
        Assert.Equal(q1.Length - 1, groups[0].PrefixLength); // = TargetStart: the last context token predicts target 0
        Assert.Equal([3, 4], groups[1].Members);
        Assert.Equal(q2.Length - 1, groups[1].PrefixLength);
        foreach (var g in groups)
            foreach (var m in g.Members) Assert.True(g.PrefixLength <= requests[m].TargetStart);
    }

    [Fact]
    public void BatchesKeepGroupsWholeAndSortByLength()
    {
        var requests = new[] { R([1, 2, 3, 4, 5, 6], [7]), R([1, 2, 3, 4, 5, 6], [8]), R([1, 9], [7]), R([1, 9], [8]), R([1, 9], [9]) };
        var groups = PrefixPlan.Group(requests);
        var batches = PrefixPlan.Batches(groups, requests, maxRows: 2);
        Assert.Equal(2, batches.Count);
        Assert.Equal([2, 3, 4], batches[0].Single().Members); // shorter prefix first; 3 rows > 2 still runs whole
        Assert.Equal([0, 1], batches[1].Single().Members);
    }
}
