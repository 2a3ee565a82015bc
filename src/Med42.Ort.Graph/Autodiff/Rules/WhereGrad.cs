// Where(cond, a, b): da = where(cond, g, 0), db = where(cond, 0, g), each reduced to its input's shape.
// The condition is boolean and gets no gradient.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class WhereGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (cond, d) = (g.X(0), g.D);
        var zero = g.Scalar(0, d.Type);
        return g.Grads(null,
            g.Needs(1) ? g.ReduceTo(g.B.Where(cond, d, zero), g.X(1)) : null,
            g.Needs(2) ? g.ReduceTo(g.B.Where(cond, zero, d), g.X(2)) : null);
    }
}
