// com.microsoft MatMulNBits (bits = 4): y = A·W'ᵀ with W' [N, K] the block-dequantised frozen weight.
// dA = dY·W' with W' = ai.med42 DequantInt4(B, scales[, zero_points]) (Builder/Ops.Med42.cs), so QLoRA's backward
// flows through frozen int4 linears without a float copy of the base weights kept between steps.
// The packed weight, scales and zero points are frozen quantised constants: they get no gradient, and a
// graph that asks for one (or uses g_idx / bias, inputs 4 and 5) is refused.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class MatMulNBitsGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var n = g.Node;
        if (n.Int("bits", 4) != 4) throw new NotSupportedException($"{n.Name}: MatMulNBits gradient needs bits = 4");
        for (var i = 1; i < n.Inputs.Count; i++)
        {
            if (g.Needs(i)) throw new NotSupportedException($"{n.Name}: MatMulNBits input {i} is a frozen quantised operand and has no gradient");
            if (i >= 4 && n.Inputs[i] is not null) throw new NotSupportedException($"{n.Name}: MatMulNBits gradient with g_idx/bias inputs");
        }
        if (!g.Needs(0)) return g.Grads();
        var zeros = n.Inputs.Count > 3 ? n.Inputs[3] : null;
        var w = g.B.DequantInt4(g.X(1), g.X(2), zeros, n.Int("K", 0), n.Int("N", 0), n.Int("block_size", 0)); // [N, K]
        return g.Grads(g.B.MatMul(g.D, w));                                                                                 // [..., K]
    }
}
