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
        foreach (var p in state.Parameters) Bind(p.Name, p.Values, p.Spec.Shape);
        BindOutput("loss", _loss, []);
        BindOutput("target_count", _count, []);
        if (withGradients)
            foreach (var p in state.Parameters)
            {
                var g = new float[p.Values.Length];
                Gradients.Add(g);
                BindOutput(p.Name + TrainingArtifacts.GradSuffix, g, p.Spec.Shape);
            }
        else
        {
            TokenLogProbs = new float[n];
            BindOutput("token_log_probs", TokenLogProbs, bt);
        }
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
