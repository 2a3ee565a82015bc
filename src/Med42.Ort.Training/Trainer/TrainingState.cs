// The mutable state of a run that lives in float32 buffers: each trainable parameter, its gradient
// accumulator and AdamW's two moments. Parameter buffers are pinned and wrapped as OrtValues once, so
// the session reads them in place every step and AdamW updates them in place (no per-step copies).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Trainer;

public sealed class ParameterState
{
    public ParameterState(WeightSpec spec, float[] values) : this(spec, values, new float[values.Length], 0, values.Length) { }

    /// <summary>A parameter whose AdamW moments cover Values[momentStart .. momentStart + momentLength) only (the rank's
    /// range under --shard-optimizer); <paramref name="grad"/> is shared, not copied.</summary>
    public ParameterState(WeightSpec spec, float[] values, float[] grad, int momentStart, int momentLength)
    {
        if (grad.Length != values.Length || momentStart < 0 || momentLength < 0 || momentStart + momentLength > values.Length)
            throw new ArgumentException($"{spec.Name}: gradient of {grad.Length} or moments [{momentStart}, +{momentLength}) do not fit {values.Length} values");
        (Spec, Values, Grad, MomentStart) = (spec, values, grad, momentStart);
        M = new float[momentLength];
        V = new float[momentLength];
    }

    public WeightSpec Spec { get; }
    public string Name => Spec.Name;
    public float[] Values { get; }
    public float[] Grad { get; }
    /// <summary>AdamW's first and second moments of Values[MomentStart ..] (the whole parameter unless sharded).</summary>
    public float[] M { get; }
    public float[] V { get; }
    public int MomentStart { get; }
    public bool HoldsAllMoments => MomentStart == 0 && M.Length == Values.Length;

    /// <summary>Norm weights get no weight decay (HF Trainer's rule: no decay for LayerNorm/RMSNorm weights).</summary>
    public bool Decays => Spec.Kind != WeightKind.Norm;
}

public sealed class TrainingState
{
    public TrainingState(IReadOnlyList<ParameterState> parameters) => Parameters = parameters;

    public IReadOnlyList<ParameterState> Parameters { get; }

    /// <summary>The initial parameters with zero moments: of every element, or under ZeRO-1 (<paramref name="shard"/>,
    /// built over these specs' lengths) of this rank's owned range only.</summary>
    public static TrainingState Fresh(IReadOnlyList<WeightSpec> specs, ITensorStore initial, OptimizerShard? shard = null) =>
        new(specs.Select((s, i) =>
        {
            var values = initial.ReadFloat32(s.Name);
            var (start, length) = shard?.Owned(i) ?? (0, values.Length);
            return new ParameterState(s, values, new float[values.Length], start, length);
        }).ToList());

    /// <summary>The same values and gradients without moments (what the final model needs; a sharded state's gathered
    /// moments are not kept alive by it).</summary>
    public TrainingState ValuesOnly() =>
        new(Parameters.Select(p => new ParameterState(p.Spec, p.Values, p.Grad, 0, 0)).ToList());

    /// <summary>The same values and gradients with moments of every element (zero), for gathering a sharded state.</summary>
    public TrainingState WithAllMoments() =>
        new(Parameters.Select(p => new ParameterState(p.Spec, p.Values, p.Grad, 0, p.Values.Length)).ToList());

    /// <summary>The parameters as a tensor store (for writing checkpoints, HF folders, adapters).</summary>
    public InMemoryTensorStore ToStore(Func<string, string>? rename = null)
    {
        var store = new InMemoryTensorStore("<trained parameters>");
        foreach (var p in Parameters) store.AddFloat(rename?.Invoke(p.Name) ?? p.Name, p.Spec.Shape, p.Values);
        return store;
    }
}
