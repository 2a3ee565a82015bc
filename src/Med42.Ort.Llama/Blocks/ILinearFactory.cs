// y = x·Wᵀ for one projection. Plain, LoRA and int4 linears implement this one interface so the
// attention and MLP blocks are shared by full fine-tuning, LoRA and QLoRA (STYLE.md §5).
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public interface ILinearFactory
{
    /// <summary>Builds y = linear(x) for <paramref name="spec"/> (a Linear or LmHead weight) under the current scope.</summary>
    Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights);
}

/// <summary>y = x·Wᵀ as one MatMul against the [in, out] weight.</summary>
public sealed class PlainLinear : ILinearFactory
{
    public static readonly PlainLinear Instance = new();

    public Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights) =>
        b.MatMul(x, weights.GetTransposed(b, spec));
}
