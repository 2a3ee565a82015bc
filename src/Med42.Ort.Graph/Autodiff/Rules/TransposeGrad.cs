// Transpose: dx = g transposed by the inverse permutation (default perm reverses the axes).
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class TransposeGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var rank = g.X(0).Rank;
        var perm = g.Node.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (var i = 0; i < rank; i++) inverse[perm[i]] = i;
        return g.Grads(g.B.Transpose(g.D, inverse));
    }
}
