// One layer's projection (q_proj … down_proj) through the graph's linear (plain, LoRA, int4), in a scope named
// after it: the one place the attention and MLP blocks build their matmuls, so node names stay uniform.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class Projection
{
    public static Value Build(GraphBuilder b, ILinearFactory linear, IWeightBinder weights, IReadOnlyDictionary<string, WeightSpec> layout,
        string name, Value input)
    {
        using var _ = b.Scope(name);
        return linear.Build(b, input, layout[name], weights);
    }
}
