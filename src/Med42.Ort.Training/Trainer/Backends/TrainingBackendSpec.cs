// What a training backend binds once: the saved artifact models, the session settings, the initial trainable state
// and the fixed micro-batch shape.
using Med42.Ort.Runtime;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Trainer.Backends;

public sealed record TrainingBackendSpec
{
    /// <summary>training_model.onnx (loss, target_count and one gradient output per trainable parameter).</summary>
    public required string TrainingModel { get; init; }

    /// <summary>eval_model.onnx, or null when the run has no validation split.</summary>
    public string? EvalModel { get; init; }

    public required SessionSettings Settings { get; init; }

    /// <summary>The initial parameters (and zero moments) in host memory. The backend takes the buffers over: the
    /// CPU backend binds them in place, a device backend uploads them once.</summary>
    public required TrainingState State { get; init; }

    public required int BatchSize { get; init; }
    public required int SeqLen { get; init; }

    /// <summary>The training model's dropout-mask inputs (name, features per position), in order.</summary>
    public IReadOnlyList<(string Name, long Features)> DropoutMasks { get; init; } = [];

    /// <summary>ZeRO-1: the ranks the AdamW moments are spread over, State holding this rank's range only
    /// (TrainingState.Fresh with the same shard); null keeps every moment on every rank.</summary>
    public OptimizerShard? OptimizerShard { get; init; }

    /// <summary>The training model recomputes each layer's forward (gradient checkpointing).</summary>
    public bool Recomputes { get; init; }
}
