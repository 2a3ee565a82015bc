// Where a run's trainable state lives and its step runs: the seam between the trainer (what a step computes) and a
// device (where). Bound once, at creation, to the parameters, gradient accumulators and AdamW moments; after that the
// trainer sends batches and receives scalars only — per micro-batch the batch and its dropout masks go up and the
// loss sum and target count come down, per step the squared gradient norm comes down. Parameters, gradients and
// optimizer state cross only for checkpoints (ExportState / ImportState). TransferLedger counts every crossing, so a
// test holds each backend to that contract. CpuTrainingBackend is the host implementation; a CUDA backend keeps the
// same calls with device buffers bound through IOBinding.
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Trainer.Backends;

public interface ITrainingBackend : IDisposable
{
    /// <summary>Host staging buffers of the dropout masks, in the artifact's DropoutMasks order: the trainer fills them
    /// before each micro-batch and RunMicroBatch sends them up with the batch.</summary>
    IReadOnlyList<bool[]> DropoutMasks { get; }

    /// <summary>Every host↔device crossing of this backend so far.</summary>
    TransferLedger Transfers { get; }

    /// <summary>Fallbacks this backend took that the user should hear about (the caller decides how to show them).</summary>
    IReadOnlyList<string> Notices { get; }

    /// <summary>Sets every gradient accumulator to zero (start of a step).</summary>
    void ZeroGradients();

    /// <summary>Forward and backward of one micro-batch on the training model; adds the gradient of its summed token
    /// loss to the accumulators. Returns the summed loss and its number of target tokens.</summary>
    (double LossSum, long Targets) RunMicroBatch(Batch batch);

    /// <summary>Sums the gradient accumulators over the communicator's ranks.</summary>
    void AllReduceGradients(ICommunicator communicator);

    /// <summary>g ← g · <paramref name="scale"/> for every gradient; returns Σ g² over all of them afterwards (the
    /// squared global norm, accumulated in double).</summary>
    double ScaleGradients(float scale);

    /// <summary>g ← g · <paramref name="factor"/> for every gradient (global-norm clipping).</summary>
    void ClipGradients(float factor);

    /// <summary>One AdamW update of every parameter from its gradient (<paramref name="step"/> counts from 1).</summary>
    void AdamWStep(double lr, int step, AdamWOptions options);

    /// <summary>Forward of one batch on the eval model (no gradients): summed loss and target count.</summary>
    (double LossSum, long Targets) Evaluate(Batch batch);

    /// <summary>The parameters and AdamW moments in host memory, current as of this call (for a checkpoint or the
    /// final model). Valid until the next step.</summary>
    TrainingState ExportState();

    /// <summary>Hands host buffers shaped like the state to <paramref name="fill"/> (a checkpoint reader), then makes
    /// what it wrote the backend's state.</summary>
    void ImportState(Action<TrainingState> fill);
}

/// <summary>Creates a backend bound to one run's artifacts (the strategy a caller picks, e.g. CPU or CUDA).</summary>
public interface ITrainingBackendFactory
{
    ITrainingBackend Create(TrainingBackendSpec spec);
}
