// Identity: dx = g.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class IdentityGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.D);
}
