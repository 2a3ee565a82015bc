// Metrics as lm-evaluation-harness v0.4 computes them (api/metrics.py, api/task.py process_results):
// acc = argmax(loglik) == gold, acc_norm = argmax(loglik / len(choice)) == gold with len in Unicode
// code points (Python len) of the choice without the leading space; np.argmax ties → lowest index;
// stderr = sample std (n-1) / sqrt(n); groups = size-weighted mean with the harness's pooled stderr.
namespace Med42.Ort.Eval.Metrics;

/// <summary>Mean and standard error of one metric; stderr is null when n &lt; 2 (undefined).</summary>
public readonly record struct MetricValue(double Mean, double? Stderr);

/// <summary>Per-task or per-group summary.</summary>
public sealed record MetricSummary(string Name, int N, MetricValue Acc, MetricValue AccNorm);

public static class EvalMetrics
{
    /// <summary>First index of the maximum (np.argmax).</summary>
    public static int Argmax(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var best = 0;
        for (var i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>(pred for acc, pred for acc_norm).</summary>
    public static (int Pred, int PredNorm) Predict(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices)
    {
        var norm = new double[logLikelihoods.Count];
        for (var i = 0; i < norm.Length; i++) norm[i] = logLikelihoods[i] / CodePointLength(choices[i]);
        return (Argmax(logLikelihoods), Argmax(norm));
    }

    /// <summary>Python len(str): code points, so a surrogate pair counts once.</summary>
    public static int CodePointLength(string s) => s.EnumerateRunes().Count();

    public static MetricValue MeanStderr(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return new MetricValue(double.NaN, null);
        var mean = xs.Average();
        if (xs.Count < 2) return new MetricValue(mean, null);
        var ss = xs.Sum(x => (x - mean) * (x - mean));
        return new MetricValue(mean, Math.Sqrt(ss / (xs.Count - 1)) / Math.Sqrt(xs.Count));
    }

    public static MetricSummary Summarize(string name, IReadOnlyList<bool> acc, IReadOnlyList<bool> accNorm) =>
        new(name, acc.Count, MeanStderr(acc.Select(b => b ? 1.0 : 0.0).ToArray()), MeanStderr(accNorm.Select(b => b ? 1.0 : 0.0).ToArray()));

    /// <summary>Size-weighted group aggregate (harness aggregate_subtask_metrics + pooled_sample_stderr).</summary>
    public static MetricSummary Group(string name, IReadOnlyList<MetricSummary> members)
    {
        var parts = members.Where(m => m.N > 0).ToArray();
        return new MetricSummary(name, parts.Sum(m => m.N), Pool(parts, m => m.Acc), Pool(parts, m => m.AccNorm));
    }

    /// <summary>
    /// mean = Σ nᵢ·meanᵢ / Σ nᵢ; stderr = sqrt( Σ (nᵢ−1)·nᵢ·seᵢ² / (Σ nᵢ − k) / Σ nᵢ ), the harness's
    /// pooled_sample_stderr (pooled within-task variance; it ignores between-task variance).
    /// </summary>
    public static MetricValue Pool(IReadOnlyList<MetricSummary> members, Func<MetricSummary, MetricValue> metric)
    {
        var total = members.Sum(m => m.N);
        if (total == 0) return new MetricValue(double.NaN, null);
        var mean = members.Sum(m => m.N * metric(m).Mean) / total;
        if (total - members.Count <= 0 || members.Any(m => metric(m).Stderr is null)) return new MetricValue(mean, null);
        var pooledVar = members.Sum(m => (m.N - 1) * metric(m).Stderr!.Value * metric(m).Stderr!.Value * m.N) / (total - members.Count);
        return new MetricValue(mean, Math.Sqrt(pooledVar / total));
    }
}
