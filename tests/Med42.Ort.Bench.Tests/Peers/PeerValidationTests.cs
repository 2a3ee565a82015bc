// The checks that gate every llama.cpp row (PeerValidation): each one refuses what it must refuse, naming where.
using Med42.Ort.Bench.Peers;
using Med42.Ort.Eval.Scoring;

namespace Med42.Ort.Bench.Tests.Peers;

public class PeerValidationTests
{
    [Fact]
    public void DifferentTokensAreRefusedAtTheFirstDifference()
    {
        PeerValidation.SameTokens("m", [1, 5, 7], [1, 5, 7]);
        var e = Assert.Throws<PeerMismatchException>(() => PeerValidation.SameTokens("m", [1, 5, 7, 9], [1, 5, 8, 9]));
        Assert.Contains("position 2 (ours 7, llama.cpp 8)", e.Message);
        Assert.Contains("refusing to report", e.Message);
        Assert.Contains("length", Assert.Throws<PeerMismatchException>(() => PeerValidation.SameTokens("m", [1, 5], [1, 5, 7])).Message);
    }

    [Fact]
    public void LogitsBeyondTheToleranceOrNonFiniteAreRefused()
    {
        float[][] theirs = [[0.5f, -1f], [2f, 3f]];
        Assert.Equal(5e-5, PeerValidation.SameLogits("m", [0.5f, -1f, 2f, 3.00005f], theirs), 1e-6);
        var e = Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLogits("m", [0.5f, -1f, 2.001f, 3f], theirs));
        Assert.Contains("logit 0 at position 1", e.Message);
        Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLogits("m", [0.5f, float.NaN, 2f, 3f], theirs));
        Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLogits("m", [0.5f, -1f, 2f], theirs));
    }

    [Fact]
    public void LoglikelihoodToleranceGrowsWithTheScoredTokens()
    {
        LoglikelihoodResult[] ours = [new(-3.0, true), new(-10.0, false)];
        LoglikelihoodResult[] close = [new(-3.0001, true), new(-10.0015, false)];
        // 1 token: 2e-4 allowed; 10 tokens: 2e-3.
        Assert.Equal(0.0015, PeerValidation.SameLoglikelihoods(ours, close, [1, 10]), 1e-9);
        var e = Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLoglikelihoods(ours, close, [1, 5]));
        Assert.Contains("request 1", e.Message);
        Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLoglikelihoods(ours, [new(double.NaN, true), close[1]], [1, 10]));
    }
}
