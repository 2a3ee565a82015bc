// ONNX SoftmaxCrossEntropyLoss (scores [N,C,d…], labels [N,d…], no weights):
//   d scores = (softmax(scores, 1) − onehot(labels)) ⊙ keep ⊙ s, keep = (label ≠ ignore_index),
//   s = g / Σkeep ("mean"), g ("sum"), or g per element ("none"); plus, for the optional log_prob
//   output, h − softmax ⊙ Σ_C h. One-hot is Equal(labels, range(C)), so ignored labels never match.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SoftmaxCrossEntropyLossGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (b, n) = (g.B, g.Node);
        if (n.Inputs.Count > 2 && n.Inputs[2] is not null) throw new NotSupportedException($"{n.Name}: class weights are not supported");
        var (scores, labels) = (g.X(0), g.X(1));
        var t = scores.Type;
        var p = b.Softmax(scores, 1);
        Value? dx = null;
        if (g.Dy(0) is Value dl)
        {
            var classes = b.Range(b.IntScalar(0), b.Squeeze(b.Shape(scores, 1, 2), 0), b.IntScalar(1), scores.Shape![1]);
            var classAxes = Enumerable.Range(0, scores.Rank).Where(i => i != 1).Select(i => (long)i).ToArray();
            var onehot = b.Cast(b.Equal(b.Unsqueeze(labels, 1), b.Unsqueeze(classes, classAxes)), t);     // [N,C,d…]
            Value? keep = n.Attributes.ContainsKey("ignore_index")
                ? b.Cast(b.Not(b.Equal(labels, b.IntScalar(n.Int("ignore_index", 0)))), t) : null;   // [N,d…]
            var reduction = n.Attributes.TryGetValue("reduction", out var r) ? ((StringAttr)r).Value : "mean";
            var allAxes = Enumerable.Range(0, labels.Rank).Select(i => (long)i).ToArray();
            var weight = reduction switch
            {
                "none" => keep is null ? dl : b.Mul(keep, dl),
                "sum" => keep is null ? dl : b.Mul(keep, dl),
                "mean" => keep is null ? b.Div(dl, b.Cast(b.Size(labels), t))
                                       : b.Mul(keep, b.Div(dl, b.ReduceSum(keep, allAxes, keepDims: false))),
                _ => throw new NotSupportedException($"{n.Name}: reduction '{reduction}'"),
            };
            if (weight.Shape is { Length: > 0 }) weight = b.Unsqueeze(weight, 1);
            dx = b.Mul(b.Sub(p, onehot), weight);
        }
        if (g.Dy(1) is Value dlp)
        {
            var extra = b.Sub(dlp, b.Mul(p, b.ReduceSum(dlp, [1], keepDims: true)));
            dx = dx is null ? extra : b.Add(dx, extra);
        }
        return g.Grads(dx);
    }
}
