// GatherElements along an axis: d data[..j..] = Σ_m dy[..m..]·[idx[..m..] = j].
// With one index per position along the axis (the loss picking log p(label), idx [B,T,1]) this is a
// broadcast Where(idx == range(n), dy, 0): deterministic and CUDA-covered. Otherwise zeros are scatter-added
// (ScatterElements reduction "add"), which ONNX Runtime's CPU kernel does not sum in a reproducible order
// (a study test saw run-to-run differences in the last bits), so it is only the general fallback.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class GatherElementsGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (data, idx) = (g.X(0), g.X(1));
        var b = g.B;
        var axis = Shapes.NormalizeAxis(g.Node.Int("axis", 0), data.Rank);
        if (idx.Shape is { } s && s[axis].IsOne && data.Shape is { } ds)
        {
            // range(n) shaped [1,..,n,..,1] along the axis, compared with idx broadcast along it.
            var n = b.Squeeze(b.Shape(data, axis, axis + 1), 0);
            var range = b.Range(b.IntScalar(0), n, b.IntScalar(1), ds[axis]);
            var others = Enumerable.Range(0, data.Rank).Where(a => a != axis).Select(a => (long)a).ToArray();
            var shaped = others.Length == 0 ? range : b.Unsqueeze(range, others);
            var hit = b.Equal(idx, shaped);                                                     // broadcast to data's shape
            return g.Grads(b.Where(hit, g.D, b.Scalar(0, data.Type)));
        }
        return g.Grads(b.ScatterElementsAdd(b.ZerosLike(data), idx, g.D, axis));
    }
}
