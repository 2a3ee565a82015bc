// Scorers for runner tests: one that gives the gold choice the highest log-likelihood (it is told which
// requests are gold, in request order), and one that returns seeded random log-likelihoods.
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;

namespace Med42.Ort.Eval.Tests.Fakes;

/// <summary>Returns 0 for gold requests and -1 otherwise, consuming a flat gold list across calls.</summary>
public sealed class GoldScorer(IReadOnlyList<bool> isGold) : ILoglikelihoodScorer
{
    private int _next;
    public int Calls { get; private set; }

    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var results = new LoglikelihoodResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = isGold[_next++] ? new LoglikelihoodResult(0, true) : new LoglikelihoodResult(-1, false);
            progress?.Report(new ScoringProgress(i + 1, requests.Count));
        }
        return results;
    }
}

public sealed class RandomScorer(int seed) : ILoglikelihoodScorer
{
    private readonly Random _random = new(seed);

    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default) =>
        requests.Select(_ => new LoglikelihoodResult(-10 * _random.NextDouble(), false)).ToArray();
}
