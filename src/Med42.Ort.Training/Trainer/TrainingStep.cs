// One optimizer step through a backend:
//   g = Σ_ranks Σ_microbatches ∇(Σ token losses) / Σ_ranks Σ_microbatches targets   — not a mean of means,
// so a step's update depends only on its global batch, however it is split into micro-batches and ranks; then the
// divergence check, global-norm clipping and AdamW. The dropout masks of each micro-batch are drawn right after the
// batch, in micro-batch order; each rank runs its share of the global batch's micro-batches (ComputeGradients).
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

/// <summary>A step's gradients once normalised: mean loss per target token, global gradient norm (before clipping),
/// and the step's target and real (non-padding) token counts over all ranks.</summary>
public sealed record StepGradients(double Loss, double Norm, long Targets, long RealTokens);

public sealed class TrainingStep(ITrainingBackend backend, ICommunicator communicator, DataLoader loader, DropoutMaskSampler dropout,
    int gradAccum, AdamWOptions adam, double maxGradNorm)
{
    /// <summary>Step <paramref name="step"/> (0-based) at learning rate <paramref name="lr"/>; a non-finite loss or
    /// norm throws naming <paramref name="lastCheckpoint"/> and leaves the parameters untouched.</summary>
    public StepGradients Run(int step, double lr, string? lastCheckpoint)
    {
        var g = ComputeGradients();
        DivergenceCheck.ThrowIfNonFinite(step, g.Loss, g.Norm, lastCheckpoint);
        GradientClipping.Apply(backend, g.Norm, maxGradNorm);
        backend.AdamWStep(lr, step + 1, adam);
        return g;
    }

    /// <summary>The accumulated, rank-summed gradient of the next global batch, scaled by 1 / its target count.</summary>
    /// <remarks>The global batch is the next ranks × gradAccum micro-batches of the loader, in the order one process
    /// would run them; rank r runs micro-batches r, r + ranks, r + 2·ranks, … and every rank draws every micro-batch
    /// and its dropout masks, so loader and dropout streams stay identical on all ranks and N ranks take the step one
    /// process takes with N× the accumulation.</remarks>
    public StepGradients ComputeGradients()
    {
        backend.ZeroGradients();
        double lossSum = 0;
        long targets = 0, realTokens = 0;
        var ranks = communicator.WorldSize;
        for (var k = 0; k < gradAccum * ranks; k++)
        {
            var batch = loader.Next();
            dropout.Fill(backend.DropoutMasks);
            if (k % ranks != communicator.Rank) continue;
            var (l, n) = backend.RunMicroBatch(batch);
            lossSum += l;
            targets += n;
            realTokens += batch.RealTokens;
        }
        lossSum = communicator.AllReduceSum(lossSum);
        targets = communicator.AllReduceSum(targets);
        realTokens = communicator.AllReduceSum(realTokens);
        backend.AllReduceGradients(communicator);
        var norm = Math.Sqrt(backend.ScaleGradients(1f / Math.Max(1, targets)));
        return new StepGradients(lossSum / Math.Max(1, targets), norm, targets, realTokens);
    }

    /// <summary>Mean loss per target token over documents run through the eval model (perplexity = exp of it).</summary>
    public static double ValidationLoss(ITrainingBackend backend, IReadOnlyList<TokenizedDocument> docs, int batchSize, int seqLen, bool packing)
    {
        double sum = 0;
        long count = 0;
        foreach (var b in DataLoader.Sequential(docs, batchSize, seqLen, packing))
        {
            var (l, n) = backend.Evaluate(b);
            sum += l;
            count += n;
        }
        return sum / Math.Max(1, count);
    }
}
