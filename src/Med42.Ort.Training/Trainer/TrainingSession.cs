// Runs the training (or eval) model on a plain InferenceSession with IOBinding. Everything is bound
// once: parameters (the TrainingState buffers, read in place), the batch buffers (overwritten per
// micro-batch), the dropout masks and the outputs (loss, target_count, one gradient buffer per parameter).
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Training.Trainer;

public sealed class TrainingSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _run = new();
    private readonly List<OrtValue> _owned = [];
    private readonly long[] _ids, _labels, _seg, _pos;
    private readonly float[] _loss = new float[1], _count = new float[1];

    /// <summary>
    /// ORT's session config key listing graph transformers to skip (onnxruntime_session_options_config_keys.h), separated
    /// by ';': a ','-separated list is read as one unknown name and silently disables nothing (TrainingSessionOptimizerTests).
    /// </summary>
    public const string DisableOptimizersKey = "optimization.disable_specified_optimizers";
    /// <summary>ORT's session config key that turns off weight pre-packing (onnxruntime_session_options_config_keys.h).</summary>
    public const string DisablePrepackingKey = "session.disable_prepacking";
    /// <summary>
    /// Transformers that would undo gradient checkpointing: CSE merges each recomputed clone with the identical
    /// forward node (same op, attributes and inputs), so the forward activations would be kept alive again.
    /// </summary>
    public const string CheckpointingDisabledOptimizers = "CommonSubexpressionElimination";

    /// <summary>
    /// Fusions that would change a training graph's forward numerics depending on which activations the backward
    /// pass reads: SimplifiedLayerNormFusion (RMSNorm), MatMulScaleFusion (the LoRA and attention scales) and
    /// QuickGeluFusion (SiLU = x·sigmoid(x)) fuse only when no gradient node consumes the intermediates, so
    /// checkpointed and plain graphs would see different roundings.
    /// </summary>
    public const string AlwaysDisabledOptimizers = "SimplifiedLayerNormFusion;MatMulScaleFusion;QuickGeluFusion";

    /// <param name="withGradients">Binds "<param>_grad" outputs (the training model) into <see cref="Gradients"/>.</param>
    /// <param name="recomputes">The model was built with gradient checkpointing: keep ORT from merging the recomputation away.</param>
    public TrainingSession(string modelPath, SessionSettings settings, TrainingState state, int batch, int seqLen,
        IReadOnlyList<(string Name, long Features)> masks, bool withGradients, bool recomputes = false)
        : this(modelPath, settings, batch, seqLen, masks, recomputes)
    {
        foreach (var p in state.Parameters) Bind(p.Name, p.Values, p.Spec.Shape);
        if (withGradients)
            foreach (var p in state.Parameters)
            {
                var g = new float[p.Values.Length];
                Gradients.Add(g);
                BindOutput(p.Name + TrainingArtifacts.GradSuffix, g, p.Spec.Shape);
            }
        else
            TokenLogProbs = BindTokenLogProbs();
    }

    /// <summary>
    /// A session over buffers the caller owns (a device-resident backend's OrtValues): the parameters are bound as
    /// inputs and, when <paramref name="gradients"/> is given, each "<param>_grad" output to its buffer (rebind with
    /// <see cref="BindGradients"/>); without gradients it is an eval session.
    /// </summary>
    public TrainingSession(string modelPath, SessionSettings settings, int batch, int seqLen, IReadOnlyList<(string Name, long Features)> masks,
        IReadOnlyList<(string Name, OrtValue Value)> parameters, IReadOnlyList<(string Name, OrtValue Value)>? gradients, bool recomputes = false)
        : this(modelPath, settings, batch, seqLen, masks, recomputes)
    {
        foreach (var (name, value) in parameters) _binding.BindInput(name, value);
        if (gradients is null) TokenLogProbs = BindTokenLogProbs();
        else BindGradients(gradients);
    }

    // The session, the batch inputs, the dropout masks and the two scalar outputs: what every variant binds.
    private TrainingSession(string modelPath, SessionSettings settings, int batch, int seqLen,
        IReadOnlyList<(string Name, long Features)> masks, bool recomputes)
    {
        using (var so = settings.CreateOptions())
        {
            // Frozen (LoRA) weights are read by the forward MatMul and by the backward FusedMatMul(transB): a pre-packed
            // copy for the forward would keep both resident (+1× the frozen weights; measured 440 MB on the 110M shape)
            // for no step-time gain here.
            so.AddSessionConfigEntry(DisablePrepackingKey, "1");
            so.AddSessionConfigEntry(DisableOptimizersKey,
                recomputes ? $"{AlwaysDisabledOptimizers};{CheckpointingDisabledOptimizers}" : AlwaysDisabledOptimizers);
            // ORT's memory pattern serves later runs' intermediates from one block planned after the first run; the
            // arena still caches the first run's chunks, so both stay resident (the peak grew from the second run on).
            // Measured on the 110M shape (bench train): LoRA peak 1,427 → 1,044 MB, full 3,065 → 2,453 MB without it.
            so.EnableMemoryPattern = false;
            _session = new InferenceSession(modelPath, so);
        }
        _binding = _session.CreateIoBinding();
        Batch = batch;
        SeqLen = seqLen;
        var n = batch * seqLen;
        (_ids, _labels, _seg, _pos) = (new long[n], new long[n], new long[n], new long[n]);
        long[] bt = [batch, seqLen];
        Bind("input_ids", _ids, bt);
        Bind("labels", _labels, bt);
        Bind("segment_ids", _seg, bt);
        Bind("position_ids", _pos, bt);
        foreach (var (name, features) in masks)
        {
            var m = new bool[n * features];
            Masks.Add(m);
            Bind(name, m, [batch, seqLen, features]);
        }
        BindOutput("loss", _loss, []);
        BindOutput("target_count", _count, []);
    }

    /// <summary>Points each "<param>_grad" output at the given buffer (replacing the previous binding).</summary>
    public void BindGradients(IReadOnlyList<(string Name, OrtValue Value)> gradients)
    {
        foreach (var (name, value) in gradients) _binding.BindOutput(name + TrainingArtifacts.GradSuffix, value);
    }

    private float[] BindTokenLogProbs()
    {
        var logProbs = new float[Batch * SeqLen];
        BindOutput("token_log_probs", logProbs, [Batch, SeqLen]);
        return logProbs;
    }

    public int Batch { get; }
    public int SeqLen { get; }
    /// <summary>Dropout mask buffers in the order of the artifact's DropoutMasks (fill before Run).</summary>
    public List<bool[]> Masks { get; } = [];
    /// <summary>Per-parameter gradient of the summed loss of the last run, in TrainingState order.</summary>
    public List<float[]> Gradients { get; } = [];
    /// <summary>Eval only: log p(label) per position of the last run (0 where ignored).</summary>
    public float[]? TokenLogProbs { get; }

    /// <summary>Runs one micro-batch; returns the summed loss and its number of target tokens.</summary>
    public (double LossSum, long Targets) Run(Batch b)
    {
        if (b.Rows != Batch || b.SeqLen != SeqLen) throw new ArgumentException($"batch is [{b.Rows},{b.SeqLen}], session is bound for [{Batch},{SeqLen}]");
        b.InputIds.CopyTo(_ids, 0);
        b.Labels.CopyTo(_labels, 0);
        b.SegmentIds.CopyTo(_seg, 0);
        b.PositionIds.CopyTo(_pos, 0);
        _session.RunWithBinding(_run, _binding);
        return (_loss[0], (long)Math.Round(_count[0]));
    }

    private void Bind<T>(string name, T[] data, long[] shape) where T : unmanaged
    {
        var v = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(v);
        _binding.BindInput(name, v);
    }

    private void BindOutput(string name, float[] data, long[] shape)
    {
        var v = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(v);
        _binding.BindOutput(name, v);
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var v in _owned) v.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
