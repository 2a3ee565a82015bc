// ZeRO-1 over host buffers (the CPU backend's half of --shard-optimizer): every rank holds all parameter values and
// gradient accumulators, and the AdamW moments of its owned range only (OptimizerShard). Per step: each range's
// gradients are summed onto its owner (reduce-scatter as one MPI_Reduce per piece), the owner scales, clips and
// updates its range, and each owner broadcasts its updated values (all-gather). Element for element the arithmetic
// is the replicated step's; only the squared norm is summed per rank first, then across ranks.
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Trainer.Backends;

internal sealed class HostShardedOptimizer(TrainingState state, OptimizerShard shard)
{
    private ICommunicator Communicator => shard.Communicator;

    /// <summary>Each piece's gradient sums land on its owner; the other ranks' copies of that piece are stale after.</summary>
    public void ReduceScatterGradients()
    {
        foreach (var piece in shard.Pieces)
            Communicator.ReduceSum(state.Parameters[piece.Parameter].Grad.AsSpan(piece.Start, piece.Length), piece.Owner);
    }

    /// <summary>g ← g · scale over the owned range; Σ g² over every rank's owned range (the squared global norm).</summary>
    public double ScaleOwnedGradients(float scale)
    {
        double sq = 0;
        foreach (var p in state.Parameters)
        {
            var g = p.Grad.AsSpan(p.MomentStart, p.M.Length);
            for (var j = 0; j < g.Length; j++) { g[j] *= scale; sq += (double)g[j] * g[j]; }
        }
        return Communicator.AllReduceSum(sq);
    }

    public void ClipOwnedGradients(float factor)
    {
        foreach (var p in state.Parameters)
            foreach (ref var g in p.Grad.AsSpan(p.MomentStart, p.M.Length)) g *= factor;
    }

    /// <summary>AdamW on the owned range, then every owner's updated values copied to all ranks.</summary>
    public void AdamWStepAndGather(double lr, int step, AdamWOptions options)
    {
        foreach (var p in state.Parameters)
        {
            if (p.M.Length == 0) continue;
            var (start, length) = (p.MomentStart, p.M.Length);
            FusedAdamW.Step(p.Values.AsSpan(start, length), p.Grad.AsSpan(start, length), p.M, p.V, lr, step, options, p.Decays);
        }
        foreach (var piece in shard.Pieces)
            Communicator.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(state.Parameters[piece.Parameter].Values.AsSpan(piece.Start, piece.Length)), piece.Owner);
    }

    /// <summary>The state with the moments of every element, gathered from their owners (for a checkpoint; every rank
    /// gets the whole state, which is transient memory of the replicated size while it is written).</summary>
    public TrainingState GatherMoments()
    {
        var full = state.WithAllMoments();
        for (var i = 0; i < full.Parameters.Count; i++)
        {
            var (own, all) = (state.Parameters[i], full.Parameters[i]);
            own.M.CopyTo(all.M, own.MomentStart);
            own.V.CopyTo(all.V, own.MomentStart);
        }
        foreach (var piece in shard.Pieces)
        {
            var p = full.Parameters[piece.Parameter];
            Communicator.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.M.AsSpan(piece.Start, piece.Length)), piece.Owner);
            Communicator.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.V.AsSpan(piece.Start, piece.Length)), piece.Owner);
        }
        return full;
    }

    /// <summary>Lets <paramref name="fill"/> write a whole (unsharded) state, then keeps this rank's range of its moments:
    /// a checkpoint of any world size resumes on this one.</summary>
    public void ImportWhole(Action<TrainingState> fill)
    {
        var full = state.WithAllMoments();
        fill(full);
        for (var i = 0; i < full.Parameters.Count; i++)
        {
            var (own, all) = (state.Parameters[i], full.Parameters[i]);
            all.M.AsSpan(own.MomentStart, own.M.Length).CopyTo(own.M);
            all.V.AsSpan(own.MomentStart, own.V.Length).CopyTo(own.V);
        }
    }

    /// <summary>Bytes of AdamW moments this rank holds, and what every rank would hold unsharded.</summary>
    public (long Held, long Replicated) MomentBytes() =>
        (state.Parameters.Sum(p => 2L * sizeof(float) * p.M.Length), 2L * sizeof(float) * shard.TotalElements);
}
