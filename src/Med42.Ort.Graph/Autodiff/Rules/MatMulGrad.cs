// MatMul (numpy semantics, batch dims broadcast): y = a·b, da = g·bᵀ, db = aᵀ·g, each summed back
// over broadcast batch dims. For x[…,K]·W[K,N] (a linear), dW is computed as one [K,T']×[T',N] product
// over the flattened rows instead of a batched product followed by a reduction.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class MatMulGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var (a, b, d) = (g.X(0), g.X(1), g.D);
        if (a.Rank < 2 || b.Rank < 2) throw new NotSupportedException($"{g.Node.Name}: MatMul gradient needs rank ≥ 2 operands");
        Value? da = g.Needs(0) ? g.ReduceTo(g.B.MatMul(d, g.TransposeLast2(b)), a) : null;
        Value? db = null;
        if (g.Needs(1))
        {
            if (b.Rank == 2 && a.Rank > 2 && a.Shape![^1].IsFixed && b.Shape![1].IsFixed)
            {
                var rows = g.B.Reshape(a, [-1, a.Shape[^1].Size!.Value]);                  // [T', K]
                var drows = g.B.Reshape(d, [-1, b.Shape[1].Size!.Value]);                  // [T', N]
                db = g.B.MatMul(g.B.Transpose(rows, 1, 0), drows);                        // [K, N]
            }
            else db = g.ReduceTo(g.B.MatMul(g.TransposeLast2(a), d), b);
        }
        return g.Grads(da, db);
    }
}
