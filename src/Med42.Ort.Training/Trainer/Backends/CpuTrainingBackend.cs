// The host backend: parameters, gradient accumulators and AdamW moments are float[] (TrainingState) bound once into
// TrainingSession's IOBinding and read in place by ONNX Runtime; each micro-batch's gradient outputs are added into
// the accumulators, and scaling, clipping and FusedAdamW (parallel slices) run over the same arrays. The step's
// memory is the host buffers, so the only copies are the batch into its bound inputs and the scalars out. Under
// --shard-optimizer the collectives, scaling, clipping and AdamW go through HostShardedOptimizer (ZeRO-1).
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Trainer.Backends;

public sealed class CpuTrainingBackend : ITrainingBackend
{
    public static ITrainingBackendFactory Factory { get; } = new CpuFactory();

    private readonly TrainingState _state;
    private readonly TrainingSession _train;
    private readonly TrainingSession? _eval;
    private readonly HostShardedOptimizer? _sharded;

    public CpuTrainingBackend(TrainingBackendSpec spec)
    {
        _state = spec.State;
        _sharded = spec.OptimizerShard is { } shard ? new HostShardedOptimizer(_state, shard) : null;
        _train = new TrainingSession(spec.TrainingModel, spec.Settings, _state, spec.BatchSize, spec.SeqLen, spec.DropoutMasks,
            withGradients: true, recomputes: spec.Recomputes);
        try
        {
            _eval = spec.EvalModel is null
                ? null
                : new TrainingSession(spec.EvalModel, spec.Settings, _state, spec.BatchSize, spec.SeqLen, [], withGradients: false);
        }
        catch
        {
            _train.Dispose();
            throw;
        }
        Notices = [.. FusedAdamW.FallbackReason is string reason ? [reason] : Array.Empty<string>(), .. ShardNotice()];
    }

    public IReadOnlyList<bool[]> DropoutMasks => _train.Masks;
    public TransferLedger Transfers { get; } = new();
    public IReadOnlyList<string> Notices { get; }

    public void ZeroGradients()
    {
        foreach (var p in _state.Parameters) Array.Clear(p.Grad);
    }

    public (double LossSum, long Targets) RunMicroBatch(Batch batch)
    {
        var result = Run(_train, batch, _train.Masks);
        for (var i = 0; i < _state.Parameters.Count; i++) Accumulate(_state.Parameters[i].Grad, _train.Gradients[i]);
        return result;
    }

    public void AllReduceGradients(ICommunicator communicator)
    {
        if (_sharded is not null) { _sharded.ReduceScatterGradients(); return; }
        if (communicator.WorldSize == 1) return;
        foreach (var p in _state.Parameters) communicator.AllReduceSum(p.Grad);
    }

    public double ScaleGradients(float scale)
    {
        Transfers.Record(TransferDirection.DeviceToHost, TransferKind.Scalar, sizeof(double));
        if (_sharded is not null) return _sharded.ScaleOwnedGradients(scale);
        double sq = 0;
        foreach (var p in _state.Parameters)
        {
            var g = p.Grad;
            for (var j = 0; j < g.Length; j++) { g[j] *= scale; sq += (double)g[j] * g[j]; }
        }
        return sq;
    }

    public void ClipGradients(float factor)
    {
        if (_sharded is not null) { _sharded.ClipOwnedGradients(factor); return; }
        foreach (var p in _state.Parameters)
            for (var j = 0; j < p.Grad.Length; j++) p.Grad[j] *= factor;
    }

    public void AdamWStep(double lr, int step, AdamWOptions options)
    {
        if (_sharded is not null) { _sharded.AdamWStepAndGather(lr, step, options); return; }
        foreach (var p in _state.Parameters) FusedAdamW.Step(p.Values, p.Grad, p.M, p.V, lr, step, options, p.Decays);
    }

    public (double LossSum, long Targets) Evaluate(Batch batch) =>
        Run(_eval ?? throw new InvalidOperationException("this backend was created without an eval model"), batch, []);

    public TrainingState ExportState()
    {
        Transfers.Record(TransferDirection.DeviceToHost, TransferKind.State, StateBytes());
        return _sharded?.GatherMoments() ?? _state;
    }

    public void ImportState(Action<TrainingState> fill)
    {
        // The host buffers are the bound ones: reading the checkpoint into them is the import.
        if (_sharded is not null) _sharded.ImportWhole(fill);
        else fill(_state);
        Transfers.Record(TransferDirection.HostToDevice, TransferKind.State, StateBytes());
    }

    public void Dispose()
    {
        _eval?.Dispose();
        _train.Dispose();
    }

    // TrainingSession.Run copies the four int64 batch arrays into its bound inputs; the masks are bound in place and
    // filled by the trainer; loss and target_count come back as two float32 outputs.
    private (double LossSum, long Targets) Run(TrainingSession session, Batch batch, IReadOnlyList<bool[]> masks)
    {
        var result = session.Run(batch);
        Transfers.RecordMicroBatch(batch, masks);
        return result;
    }

    private long StateBytes() => _state.Parameters.Sum(p => sizeof(float) * (p.Values.LongLength + 2L * p.M.Length));   // values, m, v

    // What ZeRO-1 saves on this rank (the CLI shows it on rank 0).
    private IEnumerable<string> ShardNotice()
    {
        if (_sharded is null) yield break;
        var (held, replicated) = _sharded.MomentBytes();
        yield return $"--shard-optimizer: AdamW moments {held / 1048576.0:F2} MiB on this rank instead of {replicated / 1048576.0:F2} MiB " +
            $"(saves {(replicated - held) / 1048576.0:F2} MiB per rank)";
    }

    private static void Accumulate(float[] acc, float[] g)
    {
        for (var j = 0; j < acc.Length; j++) acc[j] += g[j];
    }

    private sealed class CpuFactory : ITrainingBackendFactory
    {
        public ITrainingBackend Create(TrainingBackendSpec spec) => new CpuTrainingBackend(spec);
    }
}
