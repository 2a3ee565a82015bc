// Reshape: dx = g reshaped back to x's shape (the shape input is not differentiable).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class ReshapeGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.ReshapeLike(g.D, g.X(0)));
}
