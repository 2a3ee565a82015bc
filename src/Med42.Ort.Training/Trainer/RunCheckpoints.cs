// A run's checkpoints/ folder: step-NNNNNNNN checkpoints written through CheckpointIo (atomic folders), only the last
// K kept, and resume from a checkpoint folder or a run folder (its latest checkpoint). The state is exported from the
// backend only here — a device backend copies device → host when saving and host → device once when resuming.
// A checkpoint becomes "verified" once the next step evaluated its parameters and found them healthy (DivergenceCheck):
// that is the one a divergence message recommends, and keep-last spares it until the run ends.
using Med42.Ort.Core.Errors;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

public sealed class RunCheckpoints(string root, int keepLast, ICommunicator communicator)
{
    /// <summary>The newest checkpoint this run wrote or resumed from (null before either).</summary>
    public string? Last { get; private set; }

    /// <summary>The step of the newest checkpoint this run wrote (null before the first).</summary>
    public int? LastSavedStep { get; private set; }

    /// <summary>The host state exported for the newest checkpoint (reusable while no step has run since).</summary>
    public TrainingState? LastSavedState { get; private set; }

    /// <summary>The newest checkpoint whose parameters a later step evaluated and found healthy (null before one).</summary>
    public string? Verified { get; private set; }

    // The step of Last (saved or resumed).
    private int? _lastStep;

    public void Save(int step, ITrainingBackend backend, TrainerState trainer)
    {
        var state = backend.ExportState();
        Last = CheckpointIo.StepFolder(root, step);
        CheckpointIo.Save(Last, state, trainer);
        CheckpointIo.KeepLast(root, keepLast, spare: Verified);
        (LastSavedStep, LastSavedState, _lastStep) = (step, state, step);
        communicator.Barrier();
    }

    /// <summary>Step <paramref name="step"/> (0-based: it evaluated the parameters after <paramref name="step"/> updates)
    /// was healthy: the checkpoint of those parameters, if any, becomes <see cref="Verified"/>.</summary>
    public void MarkHealthy(int step)
    {
        if (_lastStep == step) Verified = Last;
    }

    /// <summary>The run ended: keep-last applies to every checkpoint again, the verified one included.</summary>
    public void Finish() => CheckpointIo.KeepLast(root, keepLast);

    /// <summary>Loads the checkpoint <see cref="Resolve"/> finds for <paramref name="path"/> into the backend.</summary>
    public TrainerState Resume(string path, ITrainingBackend backend)
    {
        var dir = Resolve(path);
        TrainerState? trainer = null;
        backend.ImportState(host => trainer = CheckpointIo.Load(dir, host));
        Last = dir;
        _lastStep = trainer!.Step;
        return trainer;
    }

    /// <summary>A checkpoint folder as given, or the latest checkpoint of a run folder.</summary>
    public static string Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, CheckpointIo.StateFile))) return path;
        var list = CheckpointIo.List(Path.Combine(path, Trainer.CheckpointsFolder));
        if (list.Count > 0) return list[^1];
        throw new Med42Exception($"{path}: --resume needs a checkpoint folder (with {CheckpointIo.StateFile}) or a run folder with {Trainer.CheckpointsFolder}/step-*");
    }
}
