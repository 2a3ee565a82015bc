// ZeRO stage 1 (--shard-optimizer): the trainable parameters laid end to end are cut into WorldSize contiguous ranges
// of (almost) equal length, and rank r keeps AdamW's moments for range r only. A step then reduces each range's
// gradients onto its owner (a reduce-scatter), the owner updates its range, and every owner broadcasts its updated
// values (an all-gather): the same update as the replicated step, with the moments — 8 of the 16 bytes a trainable
// fp32 parameter costs here (values, gradient, m, v) — divided by the world size.
namespace Med42.Ort.Training.Distributed;

/// <summary>A contiguous run of one parameter's elements owned by one rank.</summary>
public readonly record struct ShardPiece(int Parameter, int Start, int Length, int Owner);

public sealed class OptimizerShard
{
    private readonly List<ShardPiece> _pieces = [];

    /// <param name="communicator">The ranks the moments are spread over (the shard's rank is its Rank).</param>
    /// <param name="lengths">Element count of each trainable parameter, in the state's order.</param>
    public OptimizerShard(ICommunicator communicator, IReadOnlyList<int> lengths)
    {
        Communicator = communicator;
        var total = lengths.Sum(l => (long)l);
        var ranks = communicator.WorldSize;
        long offset = 0;
        for (var p = 0; p < lengths.Count; p++)
        {
            for (var at = 0; at < lengths[p];)
            {
                var flat = offset + at;
                // Owner of flat index i: the rank r with ⌊r·T/N⌋ ≤ i < ⌊(r+1)·T/N⌋; its range ends at that bound.
                var owner = (int)(flat * ranks / total);
                while (owner > 0 && Bound(owner, total, ranks) > flat) owner--;
                while (Bound(owner + 1, total, ranks) <= flat) owner++;
                var end = (int)Math.Min(lengths[p], Bound(owner + 1, total, ranks) - offset);
                _pieces.Add(new ShardPiece(p, at, end - at, owner));
                at = end;
            }
            offset += lengths[p];
        }
        TotalElements = total;
    }

    public ICommunicator Communicator { get; }
    public int Rank => Communicator.Rank;
    public long TotalElements { get; }

    /// <summary>Every piece of every parameter, in parameter then element order; each element lies in exactly one.</summary>
    public IReadOnlyList<ShardPiece> Pieces => _pieces;

    /// <summary>The elements of <paramref name="parameter"/> whose moments this rank keeps (Length 0 when none): one
    /// contiguous run, because ranges are contiguous in the end-to-end order.</summary>
    public (int Start, int Length) Owned(int parameter)
    {
        foreach (var p in _pieces)
            if (p.Parameter == parameter && p.Owner == Rank) return (p.Start, p.Length);
        return (0, 0);
    }

    /// <summary>Elements whose moments this rank keeps.</summary>
    public long OwnedElements => _pieces.Where(p => p.Owner == Rank).Sum(p => (long)p.Length);

    private static long Bound(int rank, long total, int ranks) => rank * total / ranks;
}
