// TrainingStep's arithmetic on the CPU backend: a step's gradient is the sum over micro-batches and ranks divided by
// the global target count (so 2 × 4 rows accumulate to the gradient of 8 rows, and unequal micro-batches are not
// averaged as means), and two ranks (threads of this process) take exactly the step of one process with twice the
// accumulation: each runs its own micro-batches and the sums cover loss, target count and every gradient.
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Tests.Distributed;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Trainer;

public class TrainingStepTests
{
    private static readonly SessionSettings OneThread = new() { Threads = 1 };
    private const ulong Seed = 34;

    [Fact]
    public void AccumulatedMicroBatchesGiveTheGradientOfOneBatch()
    {
        using var run = new TinyTrainingRun(TrainingMode.Full);
        var halves = TinyTrainingRun.Loader(8, 4, 12, Seed);
        // Unequal halves: a mean of the two micro-batch means would weight their tokens differently from the token mean.
        Assert.NotEqual(halves.Next().TargetCount, halves.Next().TargetCount);
        var (one, oneGrads) = Gradients(run, batch: 8, accum: 1);
        var (two, twoGrads) = Gradients(run, batch: 4, accum: 2);
        Assert.Equal(one.Targets, two.Targets);
        // float32 sums in another order (one batch vs two accumulated halves): ~1e-7 relative per add, a few adds deep.
        Assert.Equal(one.Loss, two.Loss, 1e-6 * one.Loss);
        Assert.Equal(one.Norm, two.Norm, 1e-5 * one.Norm);
        for (var p = 0; p < oneGrads.Count; p++)
        {
            var scale = oneGrads[p].Max(Math.Abs);
            for (var j = 0; j < oneGrads[p].Length; j++)
                Assert.True(Math.Abs(oneGrads[p][j] - twoGrads[p][j]) <= 1e-5 * scale, $"parameter {p}[{j}]: {oneGrads[p][j]:R} vs {twoGrads[p][j]:R}");
        }
    }

    // The normalised gradients of the first step (read from the CPU backend's host accumulators).
    private static (StepGradients, List<float[]>) Gradients(TinyTrainingRun run, int batch, int accum)
    {
        using var backend = run.Backend(CpuTrainingBackend.Factory, OneThread, batch, 12);
        var g = new TrainingStep(backend, SingleProcessCommunicator.Instance, TinyTrainingRun.Loader(8, batch, 12, Seed), new DropoutMaskSampler(1, 0), accum,
            new AdamWOptions(), maxGradNorm: 0).ComputeGradients();
        return (g, backend.ExportState().Parameters.Select(p => (float[])p.Grad.Clone()).ToList());
    }

    [Theory]
    [InlineData(TrainingMode.Full, 0.0)]
    [InlineData(TrainingMode.Lora, 0.1)]
    public void TwoRanksTakeTheStepOfOneProcessWithTwiceTheAccumulation(TrainingMode mode, double dropout)
    {
        using var run = new TinyTrainingRun(mode, mode == TrainingMode.Full ? null : new LoraConfig { Rank = 4, Alpha = 8, Dropout = dropout });
        var alone = TwoSteps(run, SingleProcessCommunicator.Instance, accum: 2, dropout);
        var group = new ThreadGroup(2);
        var backends = Enumerable.Range(0, 2).Select(_ => run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12)).ToList();
        try
        {
            var ranks = group.Run(c => TwoSteps(run, c, accum: 1, dropout, backends[c.Rank]));
            // Rank r runs micro-batches r, r + 2, … and the all-reduce adds rank 0's sum and rank 1's in that order: the
            // same float additions, in the same order, as one process accumulating both micro-batches, so equal exactly.
            foreach (var rank in ranks)
            {
                Assert.Equal(alone.Gradients, rank.Gradients);
                for (var p = 0; p < alone.State.Count; p++) Assert.Equal(alone.State[p], rank.State[p]);
            }
        }
        finally { backends.ForEach(b => b.Dispose()); }
    }

    // Two optimizer steps (the second proves the loader and dropout streams stay aligned across ranks); the gradients of
    // each step and the parameters at the end.
    private static (List<StepGradients> Gradients, List<float[]> State) TwoSteps(TinyTrainingRun run, ICommunicator communicator, int accum,
        double dropout, ITrainingBackend? shared = null)
    {
        var backend = shared ?? run.Backend(CpuTrainingBackend.Factory, OneThread, 4, 12);
        try
        {
            var step = new TrainingStep(backend, communicator, TinyTrainingRun.Loader(16, 4, 12, Seed), new DropoutMaskSampler(1, dropout), accum,
                new AdamWOptions(WeightDecay: 0.1), maxGradNorm: 0.5);
            var gradients = new List<StepGradients> { step.Run(0, 1e-2, null), step.Run(1, 1e-2, null) };
            return (gradients, backend.ExportState().Parameters.Select(p => (float[])p.Values.Clone()).ToList());
        }
        finally { if (shared is null) backend.Dispose(); }
    }
}
