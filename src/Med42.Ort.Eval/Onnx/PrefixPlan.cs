// How the fast path shares work between requests: consecutive requests whose inputs start with the same
// tokens (a question's options) form a group whose common prefix runs once; groups are sorted by length
// and packed into batches. Exactness never depends on the grouping: a group's prefix length P is at most
// every member's TargetStart and their longest common prefix, so each member's scored positions
// (TargetStart … T−1) all lie in its own suffix InputIds[P..].
using Med42.Ort.Eval.Requests;

namespace Med42.Ort.Eval.Onnx;

/// <summary>Requests (indices into the request list) sharing their first <paramref name="PrefixLength"/> input tokens.</summary>
public sealed record PrefixGroup(int PrefixLength, int[] Members)
{
    public int MaxSuffix(IReadOnlyList<TokenRequest> requests) => Members.Max(m => requests[m].InputIds.Length - PrefixLength);
}

public static class PrefixPlan
{
    /// <summary>
    /// Groups consecutive requests with targets. A request joins the open group when its common prefix with
    /// the group's first request covers at least half of both contexts (different questions share only a
    /// BOS or a task header, which is not worth a separate pass).
    /// </summary>
    public static IReadOnlyList<PrefixGroup> Group(IReadOnlyList<TokenRequest> requests)
    {
        var groups = new List<PrefixGroup>();
        var members = new List<int>();
        var prefix = 0;
        void Close()
        {
            if (members.Count > 0) groups.Add(new PrefixGroup(prefix, [.. members]));
            members.Clear();
        }
        for (var r = 0; r < requests.Count; r++)
        {
            var req = requests[r];
            if (req.TargetIds.Length == 0) continue; // scored as (0, greedy) without the model
            if (members.Count > 0)
            {
                var first = requests[members[0]];
                var lcp = CommonPrefix(first.InputIds, req.InputIds);
                if (lcp > 0 && 2 * lcp >= Math.Max(first.TargetStart, req.TargetStart))
                {
                    members.Add(r);
                    prefix = Math.Min(prefix, Math.Min(lcp, req.TargetStart));
                    continue;
                }
                Close();
            }
            members.Add(r);
            prefix = req.TargetStart;
        }
        Close();
        return groups;
    }

    /// <summary>
    /// Length-sorted buckets: groups ordered by (prefix, longest suffix), packed while the batch's suffix rows
    /// stay within <paramref name="maxRows"/> (a group is never split, so one larger than that runs alone).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<PrefixGroup>> Batches(IReadOnlyList<PrefixGroup> groups, IReadOnlyList<TokenRequest> requests, int maxRows)
    {
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), "batch size must be ≥ 1");
        var sorted = groups.OrderBy(g => g.PrefixLength).ThenBy(g => g.MaxSuffix(requests)).ToArray();
        var batches = new List<IReadOnlyList<PrefixGroup>>();
        var current = new List<PrefixGroup>();
        var rows = 0;
        foreach (var g in sorted)
        {
            if (current.Count > 0 && rows + g.Members.Length > maxRows)
            {
                batches.Add(current);
                current = [];
                rows = 0;
            }
            current.Add(g);
            rows += g.Members.Length;
        }
        if (current.Count > 0) batches.Add(current);
        return batches;
    }

    public static int CommonPrefix(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.CommonPrefixLength(b);
}
