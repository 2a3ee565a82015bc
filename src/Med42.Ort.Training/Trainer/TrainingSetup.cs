// The strategies a run trains with, picked by the caller (the CLI wires them; nothing in the trainer branches on a
// flag): where the step runs and its state lives (the backend factory) and which processes share each step (the
// communicator), plus where notices go. Without an explicit backend the run's device decides: `--device cuda` trains on
// the device-resident backend (state in GPU memory, optimizer graphs on the CUDA EP), the CPU on CpuTrainingBackend
// (host arrays, the native fused AdamW). Tests pick ResidentTrainingBackend on the CPU EP by naming it here.
using Med42.Ort.Runtime;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

public sealed record TrainingSetup
{
    /// <summary>One process on the device's default backend, notices dropped.</summary>
    public static TrainingSetup Default { get; } = new();

    /// <summary>The backend to train on; null = the default for the run's device (<see cref="BackendFor"/>).</summary>
    public ITrainingBackendFactory? Backend { get; init; }

    /// <summary>The backend a run on <paramref name="device"/> trains with.</summary>
    public ITrainingBackendFactory BackendFor(Device device) =>
        Backend ?? (device == Device.Cuda ? ResidentTrainingBackend.Factory : CpuTrainingBackend.Factory);

    public ICommunicator Communicator { get; init; } = SingleProcessCommunicator.Instance;

    /// <summary>One line per fallback or condition the user should hear about (e.g. the C# AdamW instead of the
    /// native one); the CLI prints them.</summary>
    public IProgress<string>? Notices { get; init; }
}
