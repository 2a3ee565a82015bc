// What the benchmarks check before they report a peer's speed next to ours: that at f32 the peer computes the same
// function (so a ratio compares implementations, not models). Each check throws PeerMismatchException naming the
// first difference; the benchmark then refuses to report.
using System.Globalization;
using Med42.Ort.Eval.Scoring;

namespace Med42.Ort.Bench.Peers;

/// <summary>The peer does not compute what we compute: its timings are not comparable.</summary>
public sealed class PeerMismatchException(string message) : Exception(message);

internal static class PeerValidation
{
    /// <summary>
    /// Largest |Δ logit| allowed at f32. Both sides run float32 end to end (F32 weights and KV cache); what differs
    /// is summation order in the matmuls, softmax and RMSNorm, ~1e-6 relative on logits of magnitude ≤ ~10.
    /// </summary>
    public const double LogitTolerance = 1e-4;

    /// <summary>Throws unless both greedy sequences are the same tokens.</summary>
    public static void SameTokens(string what, IReadOnlyList<int> ours, IReadOnlyList<int> theirs)
    {
        var n = Math.Min(ours.Count, theirs.Count);
        for (var i = 0; i < n; i++)
            if (ours[i] != theirs[i])
                throw new PeerMismatchException($"{what}: greedy tokens differ at position {i} (ours {ours[i]}, llama.cpp {theirs[i]}): refusing to report");
        if (ours.Count != theirs.Count)
            throw new PeerMismatchException($"{what}: greedy sequences differ in length (ours {ours.Count}, llama.cpp {theirs.Count}): refusing to report");
    }

    /// <summary>Max |ours − theirs| over ours [T·V] (row-major) and theirs [T][V]; throws above <see cref="LogitTolerance"/>.</summary>
    public static double SameLogits(string what, float[] ours, IReadOnlyList<float[]> theirs)
    {
        var v = theirs.Count == 0 ? 0 : theirs[0].Length;
        if (ours.Length != theirs.Count * v)
            throw new PeerMismatchException($"{what}: logits have {ours.Length} values, llama.cpp's {theirs.Count}×{v}: refusing to report");
        var worst = 0.0;
        for (var t = 0; t < theirs.Count; t++)
            for (var i = 0; i < v; i++)
            {
                var d = Math.Abs(ours[t * v + i] - (double)theirs[t][i]);
                if (!(d <= LogitTolerance))   // NaN fails too
                    throw new PeerMismatchException(string.Create(CultureInfo.InvariantCulture,
                        $"{what}: logit {i} at position {t} differs by {d:E2} (> {LogitTolerance:E0}; ours {ours[t * v + i]}, llama.cpp {theirs[t][i]}): refusing to report"));
                worst = Math.Max(worst, d);
            }
        return worst;
    }

    /// <summary>
    /// Allowed |Δ log-likelihood| of a request scoring <paramref name="targetTokens"/> tokens: each token's log-probability
    /// is logit − logsumexp(row), both of which move by at most <see cref="LogitTolerance"/>, and the request sums them.
    /// </summary>
    public static double LoglikelihoodTolerance(int targetTokens) => 2 * LogitTolerance * targetTokens;

    /// <summary>Max |Δ log-likelihood| over the requests; throws when one exceeds its tolerance.</summary>
    public static double SameLoglikelihoods(IReadOnlyList<LoglikelihoodResult> ours, IReadOnlyList<LoglikelihoodResult> theirs, IReadOnlyList<int> targetTokens)
    {
        if (ours.Count != theirs.Count || ours.Count != targetTokens.Count)
            throw new PeerMismatchException($"scored {ours.Count} requests, llama.cpp {theirs.Count}: refusing to report");
        var worst = 0.0;
        for (var r = 0; r < ours.Count; r++)
        {
            var d = Math.Abs(ours[r].LogLikelihood - theirs[r].LogLikelihood);
            if (!(d <= LoglikelihoodTolerance(targetTokens[r])))
                throw new PeerMismatchException(string.Create(CultureInfo.InvariantCulture,
                    $"request {r}: log-likelihoods differ by {d:E2} (> {LoglikelihoodTolerance(targetTokens[r]):E1} for {targetTokens[r]} tokens; ours {ours[r].LogLikelihood}, llama.cpp {theirs[r].LogLikelihood}): refusing to report"));
            worst = Math.Max(worst, d);
        }
        return worst;
    }
}
