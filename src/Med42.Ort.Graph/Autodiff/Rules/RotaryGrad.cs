// ai.med42 Rotary: y = R(pos)·x is an orthogonal rotation per (x1, x2) pair, so dX = R(pos)ᵀ·dY = the
// inverse rotation, one ai.med42 RotaryGrad node with the forward's positions, caches and layout.
// position_ids are integers (never differentiated); the cos/sin caches are constants in every graph
// we build, so a gradient with respect to them is refused rather than silently dropped.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class RotaryGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        if (g.Needs(2) || g.Needs(3))
            throw new NotSupportedException($"{g.Node.Name}: gradient with respect to the rotary cos/sin caches is not implemented");
        var dx = g.B.Med42RotaryGrad(g.D, g.X(1), g.X(2), g.X(3), g.Node.Int("interleaved", 0) != 0);
        return g.Grads(dx);
    }
}
