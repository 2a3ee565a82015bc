// The model boundary of evaluation: anything that turns token requests into summed log-probabilities
// (the naive C# oracle below, the ONNX scoring graph with batching and prefix reuse).
using Med42.Ort.Eval.Requests;

namespace Med42.Ort.Eval.Scoring;

/// <summary>Sum of the continuation tokens' log-probabilities, and whether every one of them is the argmax.</summary>
public readonly record struct LoglikelihoodResult(double LogLikelihood, bool IsGreedy);

/// <summary>Requests scored so far out of the total.</summary>
public readonly record struct ScoringProgress(int Done, int Total);

public interface ILoglikelihoodScorer
{
    /// <summary>Scores every request; results are in request order.</summary>
    IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default);
}
