// Unsqueeze: dx = g reshaped back to x's shape (drops the inserted 1-axes).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class UnsqueezeGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.ReshapeLike(g.D, g.X(0)));
}
