// com.microsoft FusedMatMul: y = α·op(A)·op(B) (transposes of the last two axes, batch dims broadcast).
// dA, dB are FusedMatMuls again (TransposedProducts), summed back over broadcast batch dims.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class FusedMatMulGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var n = g.Node;
        if (n.Int("transBatchA", 0) != 0 || n.Int("transBatchB", 0) != 0)
            throw new NotSupportedException($"{n.Name}: FusedMatMul gradient with transBatchA/B");
        var alpha = n.Float("alpha", 1f);
        var (ta, tb) = (n.Int("transA", 0) != 0, n.Int("transB", 0) != 0);
        var (a, b, d) = (g.X(0), g.X(1), g.D);
        Value? da = null, db = null;
        if (g.Needs(0))
        {
            var (gradFirst, tl, tr) = TransposedProducts.ForA(ta, tb);
            da = g.ReduceTo(gradFirst ? g.B.FusedMatMul(d, b, alpha, tl, tr) : g.B.FusedMatMul(b, d, alpha, tl, tr), a);
        }
        if (g.Needs(1))
        {
            var (gradFirst, tl, tr) = TransposedProducts.ForB(ta, tb);
            db = g.ReduceTo(gradFirst ? g.B.FusedMatMul(d, a, alpha, tl, tr) : g.B.FusedMatMul(a, d, alpha, tl, tr), b);
        }
        return g.Grads(da, db);
    }
}
