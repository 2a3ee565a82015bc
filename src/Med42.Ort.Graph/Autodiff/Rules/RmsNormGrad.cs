// ai.med42 RmsNorm (y = x·r·w, r = 1/sqrt(mean(x²) + ε) saved as output 1): dX, dW come from one
// ai.med42 RmsNormGrad node fed by the forward's X, W and saved InvRms. The InvRms output itself is
// not differentiated (nothing downstream of a Llama block consumes it); a graph that does is refused.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class RmsNormGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        if (g.Dy(1) is not null)
            throw new NotSupportedException($"{g.Node.Name}: gradient through RmsNorm's InvRms output is not implemented");
        var (dx, dw) = g.B.Med42RmsNormGrad(g.D, g.X(0), g.X(1), g.Y(1));
        return g.Grads(dx, g.ReduceTo(dw, g.X(1)));
    }
}
