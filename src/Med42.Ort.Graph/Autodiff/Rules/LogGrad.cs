// Log: dx = g / x.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class LogGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.B.Div(g.D, g.X(0)));
}
