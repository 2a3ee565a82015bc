// ZeRO-1 (--shard-optimizer): the shard map cuts the parameters laid end to end into contiguous, balanced ranges, one
// per rank, covering every element once; two sharded ranks (threads of this process) take the steps one process takes
// with twice the accumulation, their gathered AdamW moments are that process's moments, and a sharded backend resumes
// from an unsharded checkpoint state.
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Tests.Trainer;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Distributed;

public class ShardedOptimizerTests
{
    private static readonly SessionSettings OneThread = new() { Threads = 1 };
    private const ulong Seed = 34;

    [Theory]
    [InlineData(new[] { 10 }, 2)]
    [InlineData(new[] { 7, 1, 13, 4 }, 3)]
    [InlineData(new[] { 3, 2 }, 8)]            // more ranks than elements: some own nothing
    [InlineData(new[] { 64, 64, 1 }, 1)]
    public void PiecesCoverEveryElementOnceInContiguousBalancedRanges(int[] lengths, int ranks)
    {
        var group = new ThreadGroup(ranks);
        var shards = Enumerable.Range(0, ranks).Select(r => new OptimizerShard(group.Member(r), lengths)).ToList();
        var total = lengths.Sum();
        // Every rank computes the same map.
        foreach (var s in shards) Assert.Equal(shards[0].Pieces, s.Pieces);
        var owners = new List<int>();
        var parameter = 0;
        var at = 0;
        foreach (var piece in shards[0].Pieces)
        {
            if (piece.Parameter != parameter) { Assert.Equal(lengths[parameter], at); (parameter, at) = (piece.Parameter, 0); }
            Assert.Equal(at, piece.Start);
            Assert.True(piece.Length > 0);
            owners.AddRange(Enumerable.Repeat(piece.Owner, piece.Length));
            at += piece.Length;
        }
        Assert.Equal(total, owners.Count);
        // Owners never decrease along the end-to-end order (contiguous ranges), and range sizes differ by at most one.
        Assert.True(owners.Zip(owners.Skip(1)).All(x => x.First <= x.Second));
        var sizes = Enumerable.Range(0, ranks).Select(r => owners.Count(o => o == r)).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
        for (var r = 0; r < ranks; r++) Assert.Equal(sizes[r], shards[r].OwnedElements);
    }

    [Theory]
    [InlineData(TrainingMode.Full, 0.0)]
    [InlineData(TrainingMode.Lora, 0.1)]
    public void TwoShardedRanksTakeTheStepsOfOneProcessWithTwiceTheAccumulation(TrainingMode mode, double dropout)
    {
        using var run = new TinyTrainingRun(mode, mode == TrainingMode.Full ? null : new LoraConfig { Rank = 4, Alpha = 8, Dropout = dropout });
        var alone = Steps(run, SingleProcessCommunicator.Instance, accum: 2, dropout, run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12));
        var group = new ThreadGroup(2);
        var lengths = run.Artifacts.Parameters.Select(p => (int)p.ElementCount).ToList();
        var backends = Enumerable.Range(0, 2)
            .Select(r => run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12, new OptimizerShard(group.Member(r), lengths))).ToList();
        // Each rank updates, and keeps moments for, about half of the elements.
        Assert.All(backends, b => Assert.Contains(b.Notices, n => n.Contains("--shard-optimizer", StringComparison.Ordinal)));
        var ranks = group.Run(c => Steps(run, c, accum: 1, dropout, backends[c.Rank]));
        // Each element goes through the same float sums, scaling and AdamW as in one process; only the squared norm is
        // summed per rank and then across ranks (double), which can move the clip factor by an ulp: 1e-6 covers that,
        // while a range left un-updated or updated twice moves parameters by ~lr (1e-2).
        foreach (var rank in ranks)
        {
            for (var s = 0; s < alone.Gradients.Count; s++)
            {
                Assert.Equal(alone.Gradients[s].Loss, rank.Gradients[s].Loss);
                Assert.Equal(alone.Gradients[s].Norm, rank.Gradients[s].Norm, 1e-12);
            }
            Assert.True(MaxAbs(alone.Values, rank.Values) <= 1e-6, $"values differ by {MaxAbs(alone.Values, rank.Values):G3}");
            Assert.True(MaxAbs(alone.M, rank.M) <= 1e-6, $"first moments differ by {MaxAbs(alone.M, rank.M):G3}");
            Assert.True(MaxAbs(alone.V, rank.V) <= 1e-9, $"second moments differ by {MaxAbs(alone.V, rank.V):G3}");
        }
    }

    [Fact]
    public void AShardedBackendResumesFromAnUnshardedState()
    {
        using var run = new TinyTrainingRun(TrainingMode.Full);
        var lengths = run.Artifacts.Parameters.Select(p => (int)p.ElementCount).ToList();
        // One process: two steps, a checkpoint state, two more steps.
        using var single = run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12);
        var loader = TinyTrainingRun.Loader(16, 4, 12, Seed);
        var step = new TrainingStep(single, SingleProcessCommunicator.Instance, loader, new DropoutMaskSampler(1, 0), 2, new AdamWOptions(WeightDecay: 0.1), 0.5);
        step.Run(0, 1e-2, null);
        step.Run(1, 1e-2, null);
        var saved = Snapshot(single.ExportState());
        var position = loader.State;
        step.Run(2, 1e-2, null);
        step.Run(3, 1e-2, null);
        var expected = Snapshot(single.ExportState());

        var group = new ThreadGroup(2);
        var backends = Enumerable.Range(0, 2)
            .Select(r => run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12, new OptimizerShard(group.Member(r), lengths))).ToList();
        var resumed = group.Run(c =>
        {
            var backend = backends[c.Rank];
            backend.ImportState(host => Restore(host, saved));
            var l = TinyTrainingRun.Loader(16, 4, 12, Seed);
            l.State = position;
            var s = new TrainingStep(backend, c, l, new DropoutMaskSampler(1, 0), 1, new AdamWOptions(WeightDecay: 0.1), 0.5);
            s.Run(2, 1e-2, null);
            s.Run(3, 1e-2, null);
            return Snapshot(backend.ExportState());
        });
        foreach (var r in resumed)
        {
            Assert.True(MaxAbs(expected.Values, r.Values) <= 1e-6, $"values differ by {MaxAbs(expected.Values, r.Values):G3}");
            Assert.True(MaxAbs(expected.M, r.M) <= 1e-6, $"first moments differ by {MaxAbs(expected.M, r.M):G3}");
        }
        backends.ForEach(b => b.Dispose());
    }

    private sealed record Run(List<StepGradients> Gradients, List<float[]> Values, List<float[]> M, List<float[]> V);
    private sealed record State(List<float[]> Values, List<float[]> M, List<float[]> V);

    private static State Snapshot(TrainingState s) => new(
        s.Parameters.Select(p => (float[])p.Values.Clone()).ToList(), s.Parameters.Select(p => (float[])p.M.Clone()).ToList(),
        s.Parameters.Select(p => (float[])p.V.Clone()).ToList());

    private static void Restore(TrainingState host, State from)
    {
        for (var i = 0; i < host.Parameters.Count; i++)
        {
            from.Values[i].CopyTo(host.Parameters[i].Values, 0);
            from.M[i].CopyTo(host.Parameters[i].M, 0);
            from.V[i].CopyTo(host.Parameters[i].V, 0);
        }
    }

    // Three optimizer steps (the second and third prove loader, dropout and moments stay aligned across ranks).
    private static Run Steps(TinyTrainingRun run, ICommunicator communicator, int accum, double dropout, ITrainingBackend backend)
    {
        using (backend)
        {
            var step = new TrainingStep(backend, communicator, TinyTrainingRun.Loader(16, 4, 12, Seed), new DropoutMaskSampler(1, dropout), accum,
                new AdamWOptions(WeightDecay: 0.1), maxGradNorm: 0.5);
            var gradients = Enumerable.Range(0, 3).Select(t => step.Run(t, 1e-2, null)).ToList();
            var s = Snapshot(backend.ExportState());
            return new Run(gradients, s.Values, s.M, s.V);
        }
    }

    private static double MaxAbs(List<float[]> a, List<float[]> b)
    {
        Assert.Equal(a.Count, b.Count);
        double max = 0;
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Length, b[i].Length);
            for (var j = 0; j < a[i].Length; j++) max = Math.Max(max, Math.Abs((double)a[i][j] - b[i][j]));
        }
        return max;
    }
}
