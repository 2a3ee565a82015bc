// The fast scoring path (EVAL_PROTOCOL.md "Scoring a request", computed like HFLM._loglikelihood_tokens
// but sharing work). Per batch of prefix groups (PrefixPlan), one forward of the scoring graph:
//   row g = group g's shared prefix InputIds[0..P) once (segment 1, positions 0…P−1), then each member's
//   suffix InputIds[P..] (segment 2 + member, positions P…), right-padded with segment 0;
//   score_positions = the row slots whose next token is a target, targets = those tokens.
// The shared-prefix mask lets each suffix see the prefix and itself only, so every request's numbers equal one
// unpadded full forward of its own InputIds (NaiveModelScorer) up to float32 rounding.
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Llama.Graphs;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Eval.Onnx;

public sealed record OnnxScorerOptions
{
    /// <summary>Requests (options) per forward; a question's options always stay in one batch.</summary>
    public int BatchSize { get; init; } = 8;
}

/// <summary>Work done by the last Score call, for throughput reports.</summary>
public readonly record struct ScoringStats(long RequestTokens, long PrefixTokens, long SuffixTokens, long PaddedTokens, int Forwards);

/// <summary>Scores over <paramref name="graphs"/> (owned by the caller).</summary>
public sealed class OnnxScorer(ScoringGraphs graphs, OnnxScorerOptions? options = null) : ILoglikelihoodScorer, IDisposable
{
    private readonly OnnxScorerOptions _options = options ?? new OnnxScorerOptions();
    private readonly RunOptions _run = new();

    public ScoringStats LastStats { get; private set; }

    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new LoglikelihoodResult[requests.Count];
        var done = 0;
        for (var r = 0; r < requests.Count; r++)
            if (requests[r].TargetIds.Length == 0) { results[r] = new LoglikelihoodResult(0.0, true); done++; }
        var max = graphs.Config.MaxPositionEmbeddings;
        foreach (var req in requests)
            if (req.InputIds.Length > max)
                throw new Core.Errors.Med42Exception($"a request has {req.InputIds.Length} input tokens, more than the model's context length {max} (lower --max-length)");

        var stats = new ScoringStats(requests.Sum(q => (long)q.InputIds.Length), 0, 0, 0, 0);
        if (done > 0) progress?.Report(new ScoringProgress(done, requests.Count));
        foreach (var batch in PrefixPlan.Batches(PrefixPlan.Group(requests), requests, _options.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            stats = RunBatch(batch, requests, results, stats);
            done += batch.Sum(g => g.Members.Length);
            progress?.Report(new ScoringProgress(done, requests.Count));
        }
        LastStats = stats;
        return results;
    }

    // Long because the batch's tensors are filled, run and read back in one place: splitting it would pass the
    // shared offsets and buffers between methods and hide which row maps to which request.
    private ScoringStats RunBatch(IReadOnlyList<PrefixGroup> groups, IReadOnlyList<TokenRequest> requests, LoglikelihoodResult[] results, ScoringStats stats)
    {
        var k = groups.Count;
        var tMax = groups.Max(g => RowLength(g, requests));
        var sMax = groups.Max(g => g.Members.Sum(m => requests[m].TargetIds.Length));
        var ids = new long[k * tMax];
        var pos = new long[k * tMax];
        var seg = new long[k * tMax];
        var scoreAt = new long[k * sMax];
        var targets = new long[k * sMax];
        long prefixTokens = 0, suffixTokens = 0;
        for (var g = 0; g < k; g++)
        {
            var p = groups[g].PrefixLength;
            var prefix = requests[groups[g].Members[0]].InputIds;
            for (var j = 0; j < p; j++)
            {
                ids[g * tMax + j] = prefix[j];
                pos[g * tMax + j] = j;
                seg[g * tMax + j] = LlamaGraph.SharedSegment;
            }
            prefixTokens += p;
            var slot = p;       // next free row slot
            var scored = 0;     // next free score slot
            for (var mi = 0; mi < groups[g].Members.Length; mi++)
            {
                var req = requests[groups[g].Members[mi]];
                var s = req.InputIds.Length - p;
                for (var j = 0; j < s; j++)
                {
                    var at = g * tMax + slot + j;
                    ids[at] = req.InputIds[p + j];
                    pos[at] = p + j;
                    seg[at] = LlamaGraph.SharedSegment + 1 + mi;
                }
                // Input position TargetStart + t predicts TargetIds[t]; it sits at slot + (TargetStart − P) + t.
                for (var t = 0; t < req.TargetIds.Length; t++, scored++)
                {
                    scoreAt[g * sMax + scored] = slot + req.TargetStart - p + t;
                    targets[g * sMax + scored] = req.TargetIds[t];
                }
                slot += s;
                suffixTokens += s;
            }
        }

        var (logProbs, greedy) = RunScoring(ids, pos, seg, scoreAt, targets, k, tMax, sMax);

        for (var g = 0; g < k; g++)
        {
            var scored = 0;
            foreach (var m in groups[g].Members)
            {
                var req = requests[m];
                double sum = 0;
                var isGreedy = true;
                for (var t = 0; t < req.TargetIds.Length; t++, scored++)
                {
                    sum += logProbs[g * sMax + scored];
                    isGreedy &= greedy[g * sMax + scored];
                }
                results[m] = new LoglikelihoodResult(sum, isGreedy);
            }
        }
        return stats with
        {
            PrefixTokens = stats.PrefixTokens + prefixTokens,
            SuffixTokens = stats.SuffixTokens + suffixTokens,
            PaddedTokens = stats.PaddedTokens + (long)k * tMax - prefixTokens - suffixTokens,
            Forwards = stats.Forwards + 1,
        };
    }

    /// <summary>A group's row: its prefix once plus every member's suffix.</summary>
    public static int RowLength(PrefixGroup group, IReadOnlyList<TokenRequest> requests) =>
        group.PrefixLength + group.Members.Sum(m => requests[m].InputIds.Length - group.PrefixLength);

    private (float[] LogProbs, bool[] Greedy) RunScoring(long[] ids, long[] pos, long[] seg, long[] scoreAt, long[] targets, int batch, int t, int s)
    {
        var names = new[] { "input_ids", "position_ids", "segment_ids", LlamaGraph.ScorePositions, ScoringGraphBuilder.Targets };
        var values = new[]
        {
            OrtValue.CreateTensorValueFromMemory(ids, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(pos, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(seg, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(scoreAt, [batch, s]),
            OrtValue.CreateTensorValueFromMemory(targets, [batch, s]),
        };
        try
        {
            using var outputs = graphs.Scoring.Run(_run, names, values, [ScoringGraphBuilder.TargetLogProbs, ScoringGraphBuilder.TargetIsGreedy]);
            return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<bool>().ToArray());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose() => _run.Dispose();
}
