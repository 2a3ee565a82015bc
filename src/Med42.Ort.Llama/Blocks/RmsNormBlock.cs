// RMSNorm: y = x / sqrt(mean(x², last axis) + ε) · w   (HF LlamaRMSNorm; llama2.c rmsnorm).
//   x ─Pow(2)─ReduceMean─Add(ε)─Sqrt─┐
//   x ───────────────────────────────Div─Mul(w)─ y
// Statistics run in float32 at least (a float16 graph casts up and back, as HF does). This exact op
// pattern is what ONNX Runtime's SimplifiedLayerNormFusion recognises, so inference sessions run one
// fused SimplifiedLayerNormalization kernel while training graphs keep differentiable plain ops.
// The ai.med42 RmsNorm node replaces it under Med42Kernels (--kernels native).
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
        var meanSquare = b.ReduceMean(b.Pow(xs, b.Scalar(2, statType)), [-1]);
        var rms = b.Sqrt(b.Add(meanSquare, b.Scalar(eps, statType)));
        var normed = b.Cast(b.Div(xs, rms), x.Type);
        return b.Mul(normed, weight);
    }
}
