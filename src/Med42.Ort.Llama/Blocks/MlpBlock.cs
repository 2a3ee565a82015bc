// SwiGLU feed-forward: y = down( silu(gate(x)) ⊙ up(x) ), silu(z) = z·σ(z)  (llama2.c w2(silu(w1 x) * w3 x)).
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class MlpBlock
{
    public static Value Build(GraphBuilder b, LlamaConfig c, int layer, Value x, ILinearFactory linear, IWeightBinder weights)
    {
        using var _ = b.Scope("mlp");
        var layout = WeightLayout.Layer(c, layer);
        Value Project(string name, Value input) => Projection.Build(b, linear, weights, layout, name, input);
        var gate = Project("gate_proj", x);
        var up = Project("up_proj", x);
        return Project("down_proj", b.Mul(b.Silu(gate), up));
    }
}
