// Shared by the Gemm and FusedMatMul rules: with y = α·op(A)·op(B), the operand pairs and transpose
// flags of dA and dB expressed again as α·op(L)·op(R) products (derivation in each line's comment).
namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class TransposedProducts
{
    /// <summary>dA = α·op(L)·op(R); GradFirst: L = g, R = B (else L = B, R = g).</summary>
    public static (bool GradFirst, bool TransL, bool TransR) ForA(bool transA, bool transB) => (transA, transB) switch
    {
        (false, false) => (true, false, true),   // g·Bᵀ
        (false, true) => (true, false, false),   // g·B
        (true, false) => (false, false, true),   // B·gᵀ
        (true, true) => (false, true, true),     // Bᵀ·gᵀ
    };

    /// <summary>dB = α·op(L)·op(R); GradFirst: L = g, R = A (else L = A, R = g).</summary>
    public static (bool GradFirst, bool TransL, bool TransR) ForB(bool transA, bool transB) => (transA, transB) switch
    {
        (false, false) => (false, true, false),  // Aᵀ·g
        (true, false) => (false, false, false),  // A·g
        (false, true) => (true, true, false),    // gᵀ·A
        (true, true) => (true, true, true),      // gᵀ·Aᵀ
    };
}
