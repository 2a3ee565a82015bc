// AdamW, fused and in place over float32 spans, as torch.optim.AdamW (amsgrad off) computes it:
//   p ← p − lr·λ·p (decoupled decay);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)
// Step t counts from 1. Float arithmetic per element; bias corrections in double.
namespace Med42.Ort.Training.Trainer;

public sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0.0);

public static class AdamW
{
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, double lr, int t, AdamWOptions o, bool decay)
    {
        var bc1 = 1 - Math.Pow(o.Beta1, t);
        var bc2Sqrt = Math.Sqrt(1 - Math.Pow(o.Beta2, t));
        var stepSize = (float)(lr / bc1);
        var b1 = (float)o.Beta1;
        var b2 = (float)o.Beta2;
        var eps = (float)o.Epsilon;
        var decayFactor = decay ? (float)(1 - lr * o.WeightDecay) : 1f;
        var invBc2Sqrt = (float)(1 / bc2Sqrt);
        for (var i = 0; i < p.Length; i++)
        {
            var gi = g[i];
            var mi = m[i] = b1 * m[i] + (1 - b1) * gi;
            var vi = v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            var denom = MathF.Sqrt(vi) * invBc2Sqrt + eps;
            p[i] = p[i] * decayFactor - stepSize * mi / denom;
        }
    }
}
