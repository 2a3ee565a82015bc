// The optimizer graphs (OptimizerGraphs) as sessions on the training model's execution provider, each bound once to
// the resident buffers: gradients g_i, parameters p_i and AdamW moments m_i, v_i, updated in place (outputs bound to
// the inputs' buffers). Per Run only the job's scalars go up (1/targets, the clip factor or AdamW's eight) and, for
// the norm, one double comes down; both are host arrays bound in place.
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Optimizer;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Training.Trainer.Backends;

/// <summary>One trainable tensor's resident buffers.</summary>
public sealed record ResidentTensor(OptimizedTensor Tensor, OrtValue Value, OrtValue Grad, OrtValue M, OrtValue V);

public sealed class OptimizerSessions : IDisposable
{
    private readonly SessionSettings _settings;
    private readonly IReadOnlyList<ResidentTensor> _tensors;
    private readonly Bound _scaleNorm, _scale, _adamw;
    private Bound? _accumulate;
    private readonly float[] _scaleValue = new float[1];
    private readonly double[] _squaredNorm = new double[1];
    private readonly float[] _hyper = new float[OptimizerGraphs.HyperLength];
    private readonly OrtValue _scaleInput, _squaredNormOutput, _hyperInput;
    private readonly RunOptions _run = new();

    public OptimizerSessions(SessionSettings settings, IReadOnlyList<ResidentTensor> tensors)
    {
        (_settings, _tensors) = (settings, tensors);
        var specs = tensors.Select(t => t.Tensor).ToList();
        _scaleInput = OrtValue.CreateTensorValueFromMemory(_scaleValue, []);
        _squaredNormOutput = OrtValue.CreateTensorValueFromMemory(_squaredNorm, []);
        _hyperInput = OrtValue.CreateTensorValueFromMemory(_hyper, [OptimizerGraphs.HyperLength]);
        _scaleNorm = BindGradients(OptimizerGraphs.Scale(specs, withNorm: true));
        _scaleNorm.Binding.BindInput(OptimizerGraphs.ScaleInput, _scaleInput);
        _scaleNorm.Binding.BindOutput(OptimizerGraphs.SquaredNormOutput, _squaredNormOutput);
        _scale = BindGradients(OptimizerGraphs.Scale(specs, withNorm: false));
        _scale.Binding.BindInput(OptimizerGraphs.ScaleInput, _scaleInput);
        _adamw = BindGradients(OptimizerGraphs.AdamW(specs), updated: false);
        _adamw.Binding.BindInput(OptimizerGraphs.HyperInput, _hyperInput);
        foreach (var t in tensors)
        {
            InPlace(_adamw, t.Tensor.Name, t.Value);
            InPlace(_adamw, OptimizerGraphs.ExpAvgPrefix + t.Tensor.Name, t.M);
            InPlace(_adamw, OptimizerGraphs.ExpAvgSqPrefix + t.Tensor.Name, t.V);
        }
    }

    /// <summary>Bytes of the scalars each job sends up.</summary>
    public const int ScaleBytes = sizeof(float), HyperBytes = OptimizerGraphs.HyperLength * sizeof(float);

    /// <summary>g ← g·scale; returns Σ g² (float64) after scaling.</summary>
    public double ScaleAndNorm(float scale)
    {
        _scaleValue[0] = scale;
        Run(_scaleNorm);
        return _squaredNorm[0];
    }

    /// <summary>g ← g·factor.</summary>
    public void Scale(float factor)
    {
        _scaleValue[0] = factor;
        Run(_scale);
    }

    /// <summary>g_i ← g_i + addends_i (the addends: the buffers the latest micro-batch's gradients were written to).</summary>
    public void Accumulate(IReadOnlyList<OrtValue> addends)
    {
        if (_accumulate is null)
        {
            _accumulate = BindGradients(OptimizerGraphs.Accumulate(_tensors.Select(t => t.Tensor).ToList()));
            for (var i = 0; i < _tensors.Count; i++)
                _accumulate.Binding.BindInput(_tensors[i].Tensor.Name + OptimizerGraphs.GradSuffix + OptimizerGraphs.AddendSuffix, addends[i]);
        }
        Run(_accumulate);
    }

    /// <summary>One AdamW step of every tensor (step <paramref name="t"/> counts from 1).</summary>
    public void AdamW(double lr, int t, AdamWOptions options)
    {
        OptimizerGraphs.AdamWHyper(_hyper, lr, t, options);
        Run(_adamw);
    }

    /// <summary>A session for an optimizer graph. Basic optimisation only: these elementwise graphs gain nothing from
    /// fusions, and a fusion could change the order of the float32 roundings they are built to repeat.</summary>
    public static InferenceSession Create(SessionSettings settings, IrGraph graph) =>
        (settings with { Optimization = GraphOptimizationLevel.ORT_ENABLE_BASIC }).CreateSession(OnnxExport.ToBytes(graph));

    // A session whose gradient inputs are the resident gradients, updated in place unless the graph only reads them.
    private Bound BindGradients(IrGraph graph, bool updated = true)
    {
        var session = Create(_settings, graph);
        var bound = new Bound(session, session.CreateIoBinding());
        foreach (var t in _tensors)
        {
            var name = t.Tensor.Name + OptimizerGraphs.GradSuffix;
            if (updated) InPlace(bound, name, t.Grad);
            else bound.Binding.BindInput(name, t.Grad);
        }
        return bound;
    }

    private static void InPlace(Bound bound, string name, OrtValue buffer)
    {
        bound.Binding.BindInput(name, buffer);
        bound.Binding.BindOutput(OptimizerGraphs.UpdatedPrefix + name, buffer);
    }

    private void Run(Bound bound)
    {
        bound.Session.RunWithBinding(_run, bound.Binding);
        bound.Binding.SynchronizeBoundOutputs();
    }

    public void Dispose()
    {
        foreach (var b in new[] { _scaleNorm, _scale, _adamw, _accumulate })
            if (b is not null) { b.Binding.Dispose(); b.Session.Dispose(); }
        _scaleInput.Dispose();
        _squaredNormOutput.Dispose();
        _hyperInput.Dispose();
        _run.Dispose();
    }

    private sealed record Bound(InferenceSession Session, OrtIoBinding Binding);
}
