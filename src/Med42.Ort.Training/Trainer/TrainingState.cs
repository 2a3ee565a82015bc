// The mutable state of a run that lives in float32 buffers: each trainable parameter, its gradient
// accumulator and AdamW's two moments. Parameter buffers are pinned and wrapped as OrtValues once, so
// the session reads them in place every step and AdamW updates them in place (no per-step copies).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;

namespace Med42.Ort.Training.Trainer;

public sealed class ParameterState(WeightSpec spec, float[] values)
{
    public WeightSpec Spec { get; } = spec;
    public string Name => Spec.Name;
    public float[] Values { get; } = values;
    public float[] Grad { get; } = new float[values.Length];
    public float[] M { get; } = new float[values.Length];
    public float[] V { get; } = new float[values.Length];

    /// <summary>Norm weights get no weight decay (HF Trainer's rule: no decay for LayerNorm/RMSNorm weights).</summary>
    public bool Decays => Spec.Kind != WeightKind.Norm;
}

public sealed class TrainingState
{
    public TrainingState(IReadOnlyList<ParameterState> parameters) => Parameters = parameters;

    public IReadOnlyList<ParameterState> Parameters { get; }

    public static TrainingState Fresh(IReadOnlyList<WeightSpec> specs, ITensorStore initial) =>
        new(specs.Select(s => new ParameterState(s, initial.ReadFloat32(s.Name))).ToList());

    /// <summary>The parameters as a tensor store (for writing checkpoints, HF folders, adapters).</summary>
    public InMemoryTensorStore ToStore(Func<string, string>? rename = null)
    {
        var store = new InMemoryTensorStore("<trained parameters>");
        foreach (var p in Parameters) store.AddFloat(rename?.Invoke(p.Name) ?? p.Name, p.Spec.Shape, p.Values);
        return store;
    }
}
