// TrainingStep's arithmetic on the CPU backend: a step's gradient is the sum over micro-batches and ranks divided by
// the global target count (so 2 × 4 rows accumulate to the gradient of 8 rows, and unequal micro-batches are not
// averaged as means), and the rank sums cover the loss, the target count and every gradient before normalising.
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Trainer;

public class TrainingStepTests
{
    private static readonly SessionSettings OneThread = new() { Threads = 1 };
    private const ulong Seed = 34;

    private static (StepGradients Gradients, TrainingState State) OneStep(TinyTrainingRun run, int batch, int accum, ICommunicator communicator)
    {
        using var backend = run.Backend(CpuTrainingBackend.Factory, OneThread, batch, 12);
        var step = new TrainingStep(backend, communicator, TinyTrainingRun.Loader(8, batch, 12, Seed), new DropoutMaskSampler(1, 0), accum,
            new AdamWOptions(WeightDecay: 0.1), maxGradNorm: 0.5);
        var g = step.Run(0, 1e-2, null);
        return (g, backend.ExportState());
    }

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

    [Fact]
    public void RanksAreSummedBeforeNormalising()
    {
        using var run = new TinyTrainingRun(TrainingMode.Full);
        var (alone, aloneState) = OneStep(run, batch: 4, accum: 2, SingleProcessCommunicator.Instance);
        var (mirrored, mirroredState) = OneStep(run, batch: 4, accum: 2, new MirrorCommunicator());
        // A second rank with the same micro-batches doubles every sum; dividing by the doubled target count gives the
        // single process's step exactly (×2 and ÷2 are exact in binary floating point).
        Assert.Equal(2 * alone.Targets, mirrored.Targets);
        Assert.Equal(alone.Loss, mirrored.Loss);
        Assert.Equal(alone.Norm, mirrored.Norm);
        for (var p = 0; p < aloneState.Parameters.Count; p++)
            Assert.Equal(aloneState.Parameters[p].Values, mirroredState.Parameters[p].Values);
    }

    // Two ranks holding identical data: every all-reduce doubles its input.
    private sealed class MirrorCommunicator : ICommunicator
    {
        public int Rank => 0;
        public int WorldSize => 2;
        public void AllReduceSum(Span<float> values) { foreach (ref var v in values) v *= 2; }
        public double AllReduceSum(double value) => 2 * value;
        public long AllReduceSum(long value) => 2 * value;
        public void Barrier() { }
    }
}
