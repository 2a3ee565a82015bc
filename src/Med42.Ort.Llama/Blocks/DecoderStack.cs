// The layer stack of the plain and MultiHeadAttention strategies: L decoder layers, then the final RMSNorm.
//   x ─layers.0─ … ─layers.{L−1}─ norm ─ hidden [B,T,C]
// (GroupQueryAttention lays out its own stack with ONNX Runtime's fused norms: GqaDecoderStack.)
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class DecoderStack
{
    /// <summary>The final-normed hidden states and the presents of the layers whose attention returned one.</summary>
    /// <param name="lastLayerRows">Set: the last layer computes these rows [B,S] only (hidden is then [B,S,C]).</param>
    public static (Value Hidden, IReadOnlyList<KeyValue> Presents) Build(GraphBuilder b, DecoderParts p, Value x, LayerAttention attend,
        Value? lastLayerRows = null)
    {
        var presents = new List<KeyValue>();
        var layers = p.Config.NumHiddenLayers;
        for (var i = 0; i < layers; i++)
        {
            var (y, present) = DecoderLayerBlock.Build(b, p, i, x, attend, i == layers - 1 ? lastLayerRows : null);
            x = y;
            if (present is { } kv) presents.Add(kv);
        }
        using (b.Scope("norm"))
            return (FinalNorm(b, p, x), presents);
    }

    private static Value FinalNorm(GraphBuilder b, DecoderParts p, Value x) =>
        p.Kernels.RmsNorm(b, x, p.Weights.Get(b, WeightLayout.For(p.Config).First(w => w.Name == WeightLayout.FinalNorm)), p.Config.RmsNormEps);
}
