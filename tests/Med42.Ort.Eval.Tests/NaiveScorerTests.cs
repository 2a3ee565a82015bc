// The naive oracle scorer: log-softmax in double over full logits, summed over the target positions,
// greedy = every target is the first argmax. Expected values are closed forms computed independently.
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;

namespace Med42.Ort.Eval.Tests;

public class NaiveScorerTests
{
    // log softmax([1,2,3])[k] = k+1 - 3 - log(1 + e^-1 + e^-2)
    private static readonly double LogZ = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));

    [Fact]
    public void SumsTargetLogProbsAtShiftedPositions()
    {
        // Input [7, 8, 9]; targets [2, 0] are predicted by positions 1 and 2. Position 0 holds
        // huge logits that must be ignored.
        var logits = new float[,] { { 100, -100, 50 }, { 1, 2, 3 }, { 3, 2, 1 } };
        int[]? seen = null;
        var scorer = new NaiveScorer(ids => { seen = ids; return logits; });
        var r = scorer.Score([new TokenRequest([7, 8, 9], [2, 0])]).Single();
        Assert.Equal([7, 8, 9], seen!);
        // Tolerance 1e-12: double arithmetic on float inputs that are exact small integers.
        Assert.Equal(-LogZ + -LogZ, r.LogLikelihood, 1e-12);
        Assert.True(r.IsGreedy);
    }

    [Fact]
    public void NonArgmaxTarget_IsNotGreedy_TiesGoToLowestId()
    {
        var scorer = new NaiveScorer(_ => new float[,] { { 1, 2, 3 } });
        var r = scorer.Score([new TokenRequest([5], [0])]).Single();
        Assert.Equal(-2 - LogZ, r.LogLikelihood, 1e-12);
        Assert.False(r.IsGreedy);

        var tie = new NaiveScorer(_ => new float[,] { { 4, 4 } });
        Assert.False(tie.Score([new TokenRequest([5], [1])]).Single().IsGreedy);
        Assert.True(tie.Score([new TokenRequest([5], [0])]).Single().IsGreedy);
        Assert.Equal(-Math.Log(2), tie.Score([new TokenRequest([5], [0])]).Single().LogLikelihood, 1e-15);
    }

    [Fact]
    public void ZeroTargets_ScoreZeroAndGreedy()
    {
        var scorer = new NaiveScorer(_ => throw new InvalidOperationException("no forward needed"));
        Assert.Equal(new LoglikelihoodResult(0, true), scorer.Score([new TokenRequest([1, 2], [])]).Single());
    }

    [Fact]
    public void LargeLogits_AreStable()
    {
        // log-softmax is shift-invariant: [1001, 1002, 1003] gives the same as [1, 2, 3].
        var scorer = new NaiveScorer(_ => new float[,] { { 1001, 1002, 1003 } });
        Assert.Equal(-LogZ, scorer.Score([new TokenRequest([5], [2])]).Single().LogLikelihood, 1e-12);
    }
}
