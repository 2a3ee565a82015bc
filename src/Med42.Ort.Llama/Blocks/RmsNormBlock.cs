// RMSNorm: y = x / sqrt(mean(x², last axis) + ε) · w   (HF LlamaRMSNorm; llama2.c rmsnorm).
//   x ─Mul(x,x)─ReduceMean─Add(ε)─Sqrt─Reciprocal─┐
//   x ────────────────────────────────────────────Mul─Mul(w)─ y
// Statistics run in float32 at least (a float16 graph casts up and back, as HF does).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public static class RmsNormBlock
{
    public static Value Build(GraphBuilder b, Value x, Value weight, double eps)
    {
        var statType = x.Type == DType.F64 ? DType.F64 : DType.F32;
        var xs = b.Cast(x, statType);
        var meanSquare = b.ReduceMean(b.Mul(xs, xs), [-1]);
        var invRms = b.Reciprocal(b.Sqrt(b.Add(meanSquare, b.Scalar(eps, statType))));
        var normed = b.Cast(b.Mul(xs, invRms), x.Type);
        return b.Mul(normed, weight);
    }
}
