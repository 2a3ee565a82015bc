// LoRA as a linear factory (STYLE.md §5): on target projections
//   y = x·Wᵀ + (α/r)·dropout(x)·Aᵀ·Bᵀ        (PEFT lora.Linear.forward)
//   x ─MatMul(Wᵀ)──────────────────────────────────Add─ y
//   x ─[Mul(mask·1/(1−p))]─MatMul(Aᵀ)─MatMul(Bᵀ)─Mul(α/r)─┘
// and the base factory's projection elsewhere (a plain MatMul; Int4Linear's MatMulNBits for QLoRA). A and B come from the same IWeightBinder as W, so a training binder
// makes them graph inputs while W stays a frozen initializer (W then gets no gradient node).
// Dropout is a seeded mask fed as a graph input (bool, one per distinct LoRA input tensor, named
// lora_dropout_mask.{n}): the trainer draws it from its own RNG, so runs and resumes are reproducible,
// which ONNX Dropout's per-session seed cannot give.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Lora;

public sealed class LoraLinear : ILinearFactory
{
    public const string DropoutMaskPrefix = "lora_dropout_mask.";

    private readonly LlamaConfig _model;
    private readonly ILinearFactory _base;
    private readonly Dictionary<Value, Value> _masks = [];

    /// <param name="useDropout">Adds dropout mask inputs when the config's dropout is positive (training graphs).</param>
    /// <param name="baseLinear">Builds the frozen x·Wᵀ term (default PlainLinear; Int4Linear for QLoRA).</param>
    public LoraLinear(LlamaConfig model, LoraConfig config, bool useDropout, ILinearFactory? baseLinear = null)
    {
        _model = model;
        _base = baseLinear ?? PlainLinear.Instance;
        Config = config.Validate();
        UseDropout = useDropout && config.Dropout > 0;
    }

    public LoraConfig Config { get; }
    public bool UseDropout { get; }

    /// <summary>The dropout mask inputs created so far (name, input feature count), in creation order.</summary>
    public List<(string Name, long Features)> DropoutMasks { get; } = [];

    public Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights)
    {
        var y = _base.Build(b, x, spec, weights);
        if (spec.Kind != WeightKind.Linear || !Config.Targets.Contains(spec.Module)) return y;
        using var _ = b.Scope("lora");
        var input = UseDropout ? b.Mul(x, Mask(b, x)) : x;
        var a = weights.GetTransposed(b, LoraWeights.A(_model, Config, spec.Layer, spec.Module));   // [in, r]
        var bt = weights.GetTransposed(b, LoraWeights.B(_model, Config, spec.Layer, spec.Module));  // [r, out]
        var low = b.MatMul(b.MatMul(input, a), bt);                                                 // [B,T,out]
        return b.Add(y, b.Mul(low, b.Scalar(Config.Scale, x.Type)));
    }

    // mask·1/(1−p) as x's type, shared by every projection reading the same x (q/k/v, gate/up).
    private Value Mask(GraphBuilder b, Value x)
    {
        if (_masks.TryGetValue(x, out var m)) return m;
        var features = x.Shape![^1].Size!.Value;
        var name = DropoutMaskPrefix + DropoutMasks.Count;
        DropoutMasks.Add((name, features));
        var input = b.Input(name, DType.Bool, [.. x.Shape[..^1], x.Shape[^1]]);
        return _masks[x] = b.Mul(b.Cast(input, x.Type), b.Scalar(1.0 / (1.0 - Config.Dropout), x.Type));
    }
}
