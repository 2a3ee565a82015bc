// Squeeze: dx = g reshaped back to x's shape (the squeezed axes return as 1s).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SqueezeGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.ReshapeLike(g.D, g.X(0)));
}
