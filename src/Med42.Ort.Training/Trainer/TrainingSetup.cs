// The strategies a run trains with, picked by the caller (the CLI wires them; nothing in the trainer branches on a
// flag): where the step runs and its state lives (the backend factory) and which processes share each step (the
// communicator), plus where notices go.
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

public sealed record TrainingSetup
{
    /// <summary>One process on the CPU backend, notices dropped.</summary>
    public static TrainingSetup Default { get; } = new();

    public ITrainingBackendFactory Backend { get; init; } = CpuTrainingBackend.Factory;

    public ICommunicator Communicator { get; init; } = SingleProcessCommunicator.Instance;

    /// <summary>One line per fallback or condition the user should hear about (e.g. the C# AdamW instead of the
    /// native one); the CLI prints them.</summary>
    public IProgress<string>? Notices { get; init; }
}
