// The generation path used for scoring, as a benchmark baseline: requests batched (length-sorted, right
// padding) through the decoder's full-logits graph, so [B,T,V] floats leave the session and log-softmax
// runs in C# (double). No prefix reuse. Same numbers as NaiveModelScorer; it measures what the dedicated
// scoring graph and prefix reuse buy over "just run the generator's forward".
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Runtime;

namespace Med42.Ort.Eval.Onnx;

public sealed class FullLogitsScorer(DecoderSession decoder, int batchSize) : ILoglikelihoodScorer
{
    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new LoglikelihoodResult[requests.Count];
        var order = Enumerable.Range(0, requests.Count).Where(r => requests[r].TargetIds.Length > 0).OrderBy(r => requests[r].InputIds.Length).ToArray();
        for (var r = 0; r < requests.Count; r++)
            if (requests[r].TargetIds.Length == 0) results[r] = new LoglikelihoodResult(0.0, true);
        var v = decoder.Config.VocabSize;
        var done = requests.Count - order.Length;
        for (var start = 0; start < order.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var t = batch.Max(r => requests[r].InputIds.Length);
            var ids = new long[batch.Length * t];
            var pos = new long[batch.Length * t];
            var mask = new long[batch.Length * t];
            for (var b = 0; b < batch.Length; b++)
            {
                var input = requests[batch[b]].InputIds;
                for (var j = 0; j < input.Length; j++)
                {
                    ids[b * t + j] = input[j];
                    pos[b * t + j] = j;
                    mask[b * t + j] = 1;
                }
            }
            using var cache = decoder.NewCache(batch.Length);
            var logits = decoder.Forward(ids, pos, mask, batch.Length, cache);
            for (var b = 0; b < batch.Length; b++)
            {
                var req = requests[batch[b]];
                double sum = 0;
                var greedy = true;
                for (var j = 0; j < req.TargetIds.Length; j++)
                {
                    var row = logits.AsSpan(((b * t) + req.TargetStart + j) * v, v);
                    var (lp, isMax) = LogProbAt(row, req.TargetIds[j]);
                    sum += lp;
                    greedy &= isMax;
                }
                results[batch[b]] = new LoglikelihoodResult(sum, greedy);
            }
            done += batch.Length;
            progress?.Report(new ScoringProgress(done, requests.Count));
        }
        return results;
    }

    /// <summary>log softmax(row)[target] in double, and whether target is the first argmax.</summary>
    public static (double LogProb, bool IsArgMax) LogProbAt(ReadOnlySpan<float> row, int target)
    {
        var argmax = 0;
        for (var k = 1; k < row.Length; k++)
            if (row[k] > row[argmax]) argmax = k;
        double max = row[argmax], z = 0;
        for (var k = 0; k < row.Length; k++) z += Math.Exp(row[k] - max);
        return (row[target] - max - Math.Log(z), argmax == target);
    }
}
