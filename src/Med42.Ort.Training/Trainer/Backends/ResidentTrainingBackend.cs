// The device-resident backend: parameters (float32 masters), gradient accumulators and AdamW moments are OrtValues
// allocated by ONNX Runtime for the device the sessions run on (DeviceMemory) and bound once through IOBinding — the
// parameters as inputs of the training and eval models, the gradients as the training model's "<param>_grad" outputs,
// all four as inputs and in-place outputs of the optimizer graphs (OptimizerSessions), which run on the same execution
// provider. Per micro-batch the batch goes up and loss and target count come down; per step the scale and AdamW's
// scalars go up (plus the clip factor when clipping) and the squared norm comes down. The state crosses only for
// checkpoints (ExportState downloads, ImportState uploads) and once at the start: the initial upload waits for the
// first step, so a resumed run uploads the checkpoint alone. Under the CPU EP this is the same code with the CPU
// allocator (the tests); under the CUDA EP it is the GPU trainer (`--device cuda`).
//
// Gradient accumulation: the first micro-batch of a step writes its gradients straight into the accumulators (0 + g
// is g), later ones into scratch buffers (allocated on first need) that the Accumulate graph adds in.
using Med42.Ort.Core.Errors;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Optimizer;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Training.Trainer.Backends;

public sealed class ResidentTrainingBackend : ITrainingBackend
{
    public static ITrainingBackendFactory Factory { get; } = new ResidentFactory();

    private readonly TrainingBackendSpec _spec;
    private readonly TrainingState _host;   // staging for the initial upload and checkpoints
    private readonly DeviceMemory _memory;
    private readonly List<ResidentTensor> _tensors = [];
    private readonly List<OrtValue> _scratch = [];
    private readonly TrainingSession _train;
    private readonly TrainingSession? _eval;
    private readonly OptimizerSessions _optimizer;
    private bool _uploaded, _stepStarted, _gradientsToScratch;

    public ResidentTrainingBackend(TrainingBackendSpec spec)
    {
        (_spec, _host) = (spec, spec.State);
        _memory = new DeviceMemory(spec.Settings);
        try
        {
            foreach (var p in _host.Parameters)
                _tensors.Add(new ResidentTensor(new OptimizedTensor(p.Name, p.Spec.Shape, p.Decays),
                    _memory.Allocate(p.Spec.Shape), _memory.Allocate(p.Spec.Shape), _memory.Allocate(p.Spec.Shape), _memory.Allocate(p.Spec.Shape)));
            var parameters = _tensors.Select(t => (t.Tensor.Name, t.Value)).ToList();
            _train = new TrainingSession(spec.TrainingModel, spec.Settings, spec.BatchSize, spec.SeqLen, spec.DropoutMasks,
                parameters, _tensors.Select(t => (t.Tensor.Name, t.Grad)).ToList(), spec.Recomputes);
            _eval = spec.EvalModel is null
                ? null
                : new TrainingSession(spec.EvalModel, spec.Settings, spec.BatchSize, spec.SeqLen, [], parameters, gradients: null);
            _optimizer = new OptimizerSessions(spec.Settings, _tensors);
        }
        catch
        {
            DisposeAll();
            throw;
        }
    }

    public IReadOnlyList<bool[]> DropoutMasks => _train.Masks;
    public TransferLedger Transfers { get; } = new();
    public IReadOnlyList<string> Notices => [];

    /// <summary>Where the state lives ("Cuda" or "Cpu").</summary>
    public string Location => _memory.Location;

    // Lazy: the step's first micro-batch overwrites the accumulators instead of adding to zeros.
    public void ZeroGradients() => _stepStarted = false;

    public (double LossSum, long Targets) RunMicroBatch(Batch batch)
    {
        EnsureUploaded();
        var accumulate = _stepStarted;
        if (accumulate != _gradientsToScratch)
        {
            if (accumulate && _scratch.Count == 0) _scratch.AddRange(_tensors.Select(t => _memory.Allocate(t.Tensor.Shape)));
            _train.BindGradients(_tensors.Select((t, i) => (t.Tensor.Name, accumulate ? _scratch[i] : t.Grad)).ToList());
            _gradientsToScratch = accumulate;
        }
        var result = _train.Run(batch);
        Transfers.RecordMicroBatch(batch, _train.Masks);
        if (accumulate) _optimizer.Accumulate(_scratch);
        _stepStarted = true;
        return result;
    }

    public void AllReduceGradients(ICommunicator communicator)
    {
        if (communicator.WorldSize == 1) return;
        throw new Med42Exception($"the device-resident backend keeps gradients in {Location} memory; summing them over " +
            $"{communicator.WorldSize} processes needs a device communicator, which this build does not have (use the CPU backend)");
    }

    public double ScaleGradients(float scale)
    {
        RequireGradients();
        var sq = _optimizer.ScaleAndNorm(scale);
        Transfers.Record(TransferDirection.HostToDevice, TransferKind.Scalar, OptimizerSessions.ScaleBytes);
        Transfers.Record(TransferDirection.DeviceToHost, TransferKind.Scalar, sizeof(double));
        return sq;
    }

    public void ClipGradients(float factor)
    {
        RequireGradients();
        _optimizer.Scale(factor);
        Transfers.Record(TransferDirection.HostToDevice, TransferKind.Scalar, OptimizerSessions.ScaleBytes);
    }

    public void AdamWStep(double lr, int step, AdamWOptions options)
    {
        RequireGradients();
        _optimizer.AdamW(lr, step, options);
        Transfers.Record(TransferDirection.HostToDevice, TransferKind.Scalar, OptimizerSessions.HyperBytes);
    }

    public (double LossSum, long Targets) Evaluate(Batch batch)
    {
        var eval = _eval ?? throw new InvalidOperationException("this backend was created without an eval model");
        EnsureUploaded();
        var result = eval.Run(batch);
        Transfers.RecordMicroBatch(batch, []);
        return result;
    }

    public TrainingState ExportState()
    {
        if (!_uploaded) return _host;   // nothing has run: the host copy is the state
        for (var i = 0; i < _tensors.Count; i++)
        {
            var (p, t) = (_host.Parameters[i], _tensors[i]);
            _memory.Download(t.Value, p.Values);
            _memory.Download(t.M, p.M);
            _memory.Download(t.V, p.V);
        }
        Transfers.Record(TransferDirection.DeviceToHost, TransferKind.State, StateBytes());
        return _host;
    }

    public void ImportState(Action<TrainingState> fill)
    {
        fill(_host);
        Upload();
    }

    private void EnsureUploaded()
    {
        if (!_uploaded) Upload();
    }

    private void Upload()
    {
        for (var i = 0; i < _tensors.Count; i++)
        {
            var (p, t) = (_host.Parameters[i], _tensors[i]);
            _memory.Upload(p.Values, t.Value);
            _memory.Upload(p.M, t.M);
            _memory.Upload(p.V, t.V);
        }
        Transfers.Record(TransferDirection.HostToDevice, TransferKind.State, StateBytes());
        _uploaded = true;
    }

    // The accumulators hold the step's gradient only once a micro-batch has run since ZeroGradients.
    private void RequireGradients()
    {
        if (!_stepStarted) throw new InvalidOperationException("no micro-batch has run since ZeroGradients: the gradients are undefined");
    }

    private long StateBytes() => _host.Parameters.Sum(p => 3L * sizeof(float) * p.Values.Length);   // values, m, v

    public void Dispose() => DisposeAll();

    // Sessions before the buffers they bind, the buffers before the allocator that made them.
    private void DisposeAll()
    {
        _optimizer?.Dispose();
        _eval?.Dispose();
        _train?.Dispose();
        foreach (var v in _scratch) v.Dispose();
        foreach (var t in _tensors)
        {
            t.Value.Dispose();
            t.Grad.Dispose();
            t.M.Dispose();
            t.V.Dispose();
        }
        _memory.Dispose();
    }

    private sealed class ResidentFactory : ITrainingBackendFactory
    {
        public ITrainingBackend Create(TrainingBackendSpec spec) => new ResidentTrainingBackend(spec);
    }
}
