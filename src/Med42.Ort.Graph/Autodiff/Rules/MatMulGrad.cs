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
        Value? da = g.Needs(0) ? g.ReduceTo(InputGrad(g, d, b), a) : null;
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

    // da = g·bᵀ. When b is a float32/float16 constant (a frozen weight), FusedMatMul(transB) reads it in place:
    // MatMul(g, Transpose(b)) would make ONNX Runtime constant-fold (and pre-pack) a transposed copy of every
    // frozen weight, roughly doubling a LoRA session's memory. FusedMatMul has CPU float32 and CUDA float/float16
    // kernels; float64 graphs (finite-difference checks) keep the plain form.
    private static Value InputGrad(GradientContext g, Value d, Value b)
    {
        var isConstant = b.Producer is null && g.B.Graph.Initializers.Any(i => i.Value == b);
        if (isConstant && b.Rank == 2 && b.Type is Core.Tensors.DType.F32 or Core.Tensors.DType.F16)
            return g.B.FusedMatMul(d, b, 1.0, transA: false, transB: true);
        return g.B.MatMul(d, g.TransposeLast2(b));
    }
}
