// Gemm: y = α·op(A)·op(B) + β·C. dA, dB are Gemms again (TransposedProducts), dC = β·g reduced to C's shape.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class GemmGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var n = g.Node;
        var (alpha, beta) = (n.Float("alpha", 1f), n.Float("beta", 1f));
        var (ta, tb) = (n.Int("transA", 0) != 0, n.Int("transB", 0) != 0);
        var (a, b, d) = (g.X(0), g.X(1), g.D);
        Value? da = null, db = null, dc = null;
        if (g.Needs(0))
        {
            var (gradFirst, tl, tr) = TransposedProducts.ForA(ta, tb);
            da = gradFirst ? g.B.Gemm(d, b, null, alpha, 0, tl, tr) : g.B.Gemm(b, d, null, alpha, 0, tl, tr);
        }
        if (g.Needs(1))
        {
            var (gradFirst, tl, tr) = TransposedProducts.ForB(ta, tb);
            db = gradFirst ? g.B.Gemm(d, a, null, alpha, 0, tl, tr) : g.B.Gemm(a, d, null, alpha, 0, tl, tr);
        }
        if (g.Needs(2))
            dc = g.ReduceTo(beta == 1f ? d : g.B.Mul(d, g.Scalar(beta, d.Type)), g.X(2));
        return g.Grads(da, db, dc);
    }
}
