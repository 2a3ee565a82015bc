// A scorer that runs requests one at a time (the naive reference, an external engine): the loop, cancellation
// and progress in one place; a subclass scores one request.
using Med42.Ort.Eval.Requests;

namespace Med42.Ort.Eval.Scoring;

public abstract class PerRequestScorer : ILoglikelihoodScorer
{
    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new LoglikelihoodResult[requests.Count];
        for (var r = 0; r < requests.Count; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[r] = ScoreOne(requests[r]);
            progress?.Report(new ScoringProgress(r + 1, requests.Count));
        }
        return results;
    }

    public abstract LoglikelihoodResult ScoreOne(TokenRequest request);
}
