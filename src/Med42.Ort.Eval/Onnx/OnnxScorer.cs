// The fast scoring path (EVAL_PROTOCOL.md "Scoring a request", computed like HFLM._loglikelihood_tokens
// but sharing work). Per batch of prefix groups (PrefixPlan):
//   1. prefix pass: each group's shared prefix, left-padded to Pmax, through the prefix graph → keys/values
//      [k,Hkv,Pmax,D] per layer (no LM head);
//   2. the cache rows are copied once per member; each member's suffix InputIds[P..] is right-padded to Smax
//      and run through the scoring graph with attention_mask = [prefix mask | suffix mask] and position ids
//      P + j, which returns log p(target) and argmax == target at every position ([rows, Smax] only).
// Padded slots are masked keys (attention_mask 0) and their outputs are ignored, so every request's numbers
// equal one unpadded full forward (NaiveModelScorer) up to float32 rounding.
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Llama.Graphs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Eval.Onnx;

public sealed record OnnxScorerOptions
{
    /// <summary>Suffix rows (options) per forward; a question's options always stay in one batch.</summary>
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

    private ScoringStats RunBatch(IReadOnlyList<PrefixGroup> groups, IReadOnlyList<TokenRequest> requests, LoglikelihoodResult[] results, ScoringStats stats)
    {
        var c = graphs.Config;
        var (layers, hkv, d) = (c.NumHiddenLayers, c.NumKeyValueHeads, c.HeadDim);
        var k = groups.Count;
        var pMax = groups.Max(g => g.PrefixLength);
        var rows = groups.Sum(g => g.Members.Length);
        var sMax = groups.Max(g => g.MaxSuffix(requests));
        var forwards = stats.Forwards + 1;

        // 1. Prefix pass over the groups, left-padded so every prefix ends at slot Pmax − 1.
        var prefixMask = new long[k * pMax];
        IDisposableReadOnlyCollection<OrtValue>? prefixKv = null; // per layer: key, value as [k,Hkv,Pmax,D]
        if (pMax > 0)
        {
            var ids = new long[k * pMax];
            var pos = new long[k * pMax];
            for (var g = 0; g < k; g++)
            {
                var p = groups[g].PrefixLength;
                var src = requests[groups[g].Members[0]].InputIds;
                for (var j = 0; j < p; j++)
                {
                    var slot = g * pMax + pMax - p + j;
                    ids[slot] = src[j];
                    pos[slot] = j;
                    prefixMask[slot] = 1;
                }
            }
            prefixKv = RunPrefix(ids, pos, prefixMask, k, pMax);
            forwards++;
        }

        // 2. Suffix pass: one row per member over a copy of its group's cache row.
        var sIds = new long[rows * sMax];
        var sPos = new long[rows * sMax];
        var sTargets = new long[rows * sMax];
        var mask = new long[rows * (pMax + sMax)];
        var kv = new float[2 * layers][];
        var rowFloats = hkv * pMax * d;
        // Every slot is overwritten below (when there is a prefix), so skip the runtime's zeroing of ~rows × 22 MB.
        for (var i = 0; i < kv.Length; i++) kv[i] = prefixKv is null ? new float[rows * rowFloats] : GC.AllocateUninitializedArray<float>(rows * rowFloats);
        var row = 0;
        var rowOf = new (int Request, int Prefix)[rows];
        long prefixTokens = 0, suffixTokens = 0;
        for (var g = 0; g < k; g++)
        {
            var p = groups[g].PrefixLength;
            prefixTokens += p;
            foreach (var m in groups[g].Members)
            {
                var req = requests[m];
                rowOf[row] = (m, p);
                if (prefixKv is not null)
                    for (var i = 0; i < kv.Length; i++)
                        prefixKv[i].GetTensorDataAsSpan<float>().Slice(g * rowFloats, rowFloats).CopyTo(kv[i].AsSpan(row * rowFloats, rowFloats));
                Array.Copy(prefixMask, g * pMax, mask, row * (pMax + sMax), pMax);
                var s = req.InputIds.Length - p;
                suffixTokens += s;
                for (var j = 0; j < s; j++)
                {
                    var at = row * sMax + j;
                    sIds[at] = req.InputIds[p + j];
                    sPos[at] = p + j;
                    mask[row * (pMax + sMax) + pMax + j] = 1;
                    var t = p + j - req.TargetStart;
                    if (t >= 0) sTargets[at] = req.TargetIds[t];
                }
                row++;
            }
        }
        prefixKv?.Dispose();
        var (logProbs, greedy) = RunScoring(sIds, sPos, mask, sTargets, kv, rows, sMax, pMax);
        forwards++;

        for (var r = 0; r < rows; r++)
        {
            var (m, p) = rowOf[r];
            var req = requests[m];
            double sum = 0;
            var isGreedy = true;
            for (var t = 0; t < req.TargetIds.Length; t++)
            {
                var at = r * sMax + req.TargetStart - p + t;
                sum += logProbs[at];
                isGreedy &= greedy[at];
            }
            results[m] = new LoglikelihoodResult(sum, isGreedy);
        }
        var padded = (long)k * pMax + (long)rows * sMax - prefixTokens - suffixTokens;
        return stats with
        {
            PrefixTokens = stats.PrefixTokens + prefixTokens,
            SuffixTokens = stats.SuffixTokens + suffixTokens,
            PaddedTokens = stats.PaddedTokens + padded,
            Forwards = forwards,
        };
    }

    // Returns ORT's present outputs (the caller copies the rows it needs straight from them, then disposes them).
    private IDisposableReadOnlyCollection<OrtValue> RunPrefix(long[] ids, long[] pos, long[] mask, int batch, int t)
    {
        var c = graphs.Config;
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(pos, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(mask, [batch, t]),
        };
        var outputNames = new List<string>();
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            foreach (var name in new[] { LlamaGraph.PastKey(i), LlamaGraph.PastValue(i) })
            {
                names.Add(name);
                values.Add(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, c.NumKeyValueHeads, 0, c.HeadDim]));
            }
            outputNames.Add(LlamaGraph.PresentKey(i));
            outputNames.Add(LlamaGraph.PresentValue(i));
        }
        try
        {
            return graphs.Prefix.Run(_run, names, values, outputNames);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private (float[] LogProbs, bool[] Greedy) RunScoring(long[] ids, long[] pos, long[] mask, long[] targets, float[][] kv, int batch, int t, int past)
    {
        var c = graphs.Config;
        var names = new List<string> { "input_ids", "position_ids", "attention_mask", ScoringGraphs.Targets };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(pos, [batch, t]),
            OrtValue.CreateTensorValueFromMemory(mask, [batch, past + t]),
            OrtValue.CreateTensorValueFromMemory(targets, [batch, t]),
        };
        long[] kvShape = [batch, c.NumKeyValueHeads, past, c.HeadDim];
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            names.Add(LlamaGraph.PastKey(i));
            values.Add(Past(kv[2 * i], kvShape));
            names.Add(LlamaGraph.PastValue(i));
            values.Add(Past(kv[2 * i + 1], kvShape));
        }
        try
        {
            using var outputs = graphs.Scoring.Run(_run, names, values, [ScoringGraphs.TargetLogProbs, ScoringGraphs.TargetIsGreedy]);
            return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<bool>().ToArray());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    // An empty past cannot wrap a zero-length managed array; allocate it natively instead.
    private static OrtValue Past(float[] data, long[] shape) => data.Length == 0
        ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape)
        : OrtValue.CreateTensorValueFromMemory(data, shape);

    public void Dispose() => _run.Dispose();
}
