// Sum (variadic, broadcasting): each input receives g reduced to its shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SumGrad
{
    public static Value?[] Backward(GradientContext g) =>
        g.Grads(g.Node.Inputs.Select((x, i) => g.Needs(i) ? g.ReduceTo(g.D, x!) : null).ToArray());
}
