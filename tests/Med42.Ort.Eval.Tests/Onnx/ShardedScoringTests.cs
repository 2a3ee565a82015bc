// OnnxScorer shared by ranks (IScoringGroup; here two threads of this process): each rank runs only its batches
// (r, r + N, …), so the forwards split between them, and after the gather every rank holds every request's result,
// bit for bit the single process's (a question's options stay in one batch, and a batch's numbers do not depend on
// which rank runs it).
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests.Onnx;

public class ShardedScoringTests
{
    [SkippableFact]
    public void TwoRanksSplitTheBatchesAndGatherTheScoresOfOneProcess()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var tokenizer = TokenizerLoader.Load(SharedData.Path("models/stories260K/tok512.model"), ckpt.Config.VocabSize);
        var (requests, _) = DevRequests.Build(tokenizer, ckpt.Config.MaxPositionEmbeddings, perTask: 3);
        using var graphs = ScoringGraphs.Create(ckpt.Config, ckpt.Weights, new SessionSettings { Threads = 1 });
        using var alone = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 4 });
        var expected = alone.Score(requests);

        var group = new TwoThreads();
        var scorers = Enumerable.Range(0, 2).Select(r => new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 4, Group = group.Rank(r) })).ToList();
        var results = new IReadOnlyList<LoglikelihoodResult>[2];
        var threads = Enumerable.Range(0, 2).Select(r => new Thread(() => results[r] = scorers[r].Score(requests))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.True(alone.LastStats.Forwards >= 2, "too few batches to share");
        Assert.Equal(alone.LastStats.Forwards, scorers[0].LastStats.Forwards + scorers[1].LastStats.Forwards);
        Assert.InRange(scorers[0].LastStats.Forwards - scorers[1].LastStats.Forwards, 0, 1);
        foreach (var r in results) Assert.Equal(expected, r);
        scorers.ForEach(s => s.Dispose());
    }

    // Two ranks as threads: the all-reduce sums rank 0's buffer and rank 1's, in that order.
    private sealed class TwoThreads
    {
        private readonly Barrier _barrier = new(2);
        private readonly double[]?[] _slots = new double[]?[2];

        public IScoringGroup Rank(int rank) => new Member(this, rank);

        private sealed class Member(TwoThreads group, int rank) : IScoringGroup
        {
            public int Rank => rank;
            public int WorldSize => 2;

            public void AllReduceSum(Span<double> values)
            {
                group._slots[rank] = values.ToArray();
                group._barrier.SignalAndWait();
                for (var i = 0; i < values.Length; i++) values[i] = group._slots[0]![i] + group._slots[1]![i];
                group._barrier.SignalAndWait();
            }
        }
    }
}
