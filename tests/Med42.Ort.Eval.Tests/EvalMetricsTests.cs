// Metric math on hand-computed examples: acc / acc_norm predictions (ties → lowest index, length in
// code points), mean and sample stderr, and the harness's size-weighted group with pooled stderr.
using Med42.Ort.Eval.Metrics;

namespace Med42.Ort.Eval.Tests;

public class EvalMetricsTests
{
    [Fact]
    public void Predict_AccAndAccNorm()
    {
        // ll [-2, -3]; lengths 2 and 6 → norm [-1, -0.5]: acc picks 0, acc_norm picks 1.
        Assert.Equal((0, 1), EvalMetrics.Predict([-2, -3], ["ab", "abcdef"]));
        // Ties go to the lowest index (np.argmax).
        Assert.Equal((1, 1), EvalMetrics.Predict([-5, -1, -1], ["a", "b", "c"]));
        // Python len counts code points: "😀😀" is 2, not 4 UTF-16 units. norm [-1, -1.5] → 0 (UTF-16 would give [-1, -0.75] → 1).
        Assert.Equal((0, 0), EvalMetrics.Predict([-3, -3], ["abc", "😀😀"]));
    }

    [Fact]
    public void MeanAndSampleStderr()
    {
        // [1,0,1,1]: mean 0.75; Σ(x-μ)² = 3·0.0625 + 0.5625 = 0.75; s² = 0.25; se = 0.5/2.
        var m = EvalMetrics.MeanStderr([1, 0, 1, 1]);
        Assert.Equal(0.75, m.Mean, 1e-15);
        Assert.Equal(0.25, m.Stderr!.Value, 1e-15);
        Assert.Null(EvalMetrics.MeanStderr([1]).Stderr); // undefined for n = 1 (the harness divides by n-1)
    }

    [Fact]
    public void Group_SizeWeightedWithPooledStderr()
    {
        var a = EvalMetrics.Summarize("a", [true, false, true, true], [true, true, true, true]); // n 4, acc .75 se .25
        var b = EvalMetrics.Summarize("b", [true, false], [false, false]);                      // n 2, acc .5, se sqrt(.5)/sqrt(2) = .5
        Assert.Equal(0.5, b.Acc.Stderr!.Value, 1e-15);
        var g = EvalMetrics.Group("g", [a, b]);
        Assert.Equal(6, g.N);
        Assert.Equal(4.0 / 6.0, g.Acc.Mean, 1e-15);
        // pooled var = (3·.25²·4 + 1·.5²·2) / (6 − 2) = 0.3125; se = sqrt(0.3125 / 6).
        Assert.Equal(Math.Sqrt(0.3125 / 6), g.Acc.Stderr!.Value, 1e-15);
        Assert.Equal(4.0 / 6.0, g.AccNorm.Mean, 1e-15);
        Assert.Equal(0.0, g.AccNorm.Stderr!.Value, 1e-15);
    }
}
