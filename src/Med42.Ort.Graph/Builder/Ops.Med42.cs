// Builders for the ai.med42 custom ops of libmed42_ort_ops (native/src/ort/custom_ops.cpp), the one
// place their contracts are written down on the C# side; used by the Llama blocks (--kernels native)
// and by the gradient rules RmsNormGrad / RotaryGrad / MatMulNBitsGrad. All ops are float32 only.
//   RmsNorm(X [..., C], W [C]; epsilon)                      -> Y [..., C], InvRms [...]
//   RmsNormGrad(dY, X, W, InvRms)                            -> dX [..., C], dW [C]
//   Rotary(X [..., H, D], position_ids [...] int64, cos [P, D/2], sin [P, D/2]; interleaved) -> Y [..., H, D]
//   RotaryGrad(dY, position_ids, cos, sin; interleaved)      -> dX (the inverse rotation)
//   DequantInt4(B uint8 [N, ⌈K/bs⌉, bs/2], scales [N·⌈K/bs⌉], zero_points? uint8; K, N, block_size) -> W [N, K]
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    public const string Med42Domain = "ai.med42";

    /// <summary>(Y, InvRms) = RmsNorm(x, w): y = x / sqrt(mean(x², last axis) + ε) · w.</summary>
    public (Value Y, Value InvRms) Med42RmsNorm(Value x, Value w, double eps)
    {
        RequireF32(x, "RmsNorm");
        var outs = OpN("RmsNorm", [x, w], [(x.Type, x.Shape), (x.Type, x.Shape?[..^1])],
            new Dictionary<string, Attr> { ["epsilon"] = (float)eps }, Med42Domain);
        return (outs[0], outs[1]);
    }

    /// <summary>(dX, dW) of RmsNorm from dY, the forward's X, W and its saved InvRms.</summary>
    public (Value Dx, Value Dw) Med42RmsNormGrad(Value dy, Value x, Value w, Value invRms)
    {
        var outs = OpN("RmsNormGrad", [dy, x, w, invRms], [(x.Type, x.Shape), (w.Type, w.Shape)], domain: Med42Domain);
        return (outs[0], outs[1]);
    }

    /// <summary>Rotates x [..., H, D] by the angles of cos/sin [P, D/2] at position_ids [...] (one per row of H·D).</summary>
    public Value Med42Rotary(Value x, Value positionIds, Value cosCache, Value sinCache, bool interleaved)
    {
        RequireF32(x, "Rotary");
        return Op("Rotary", [x, positionIds, cosCache, sinCache], x.Type, x.Shape, RotaryAttrs(interleaved), Med42Domain);
    }

    /// <summary>The inverse rotation of dy (the rotary backward).</summary>
    public Value Med42RotaryGrad(Value dy, Value positionIds, Value cosCache, Value sinCache, bool interleaved) =>
        Op("RotaryGrad", [dy, positionIds, cosCache, sinCache], dy.Type, dy.Shape, RotaryAttrs(interleaved), Med42Domain);

    /// <summary>
    /// W [N, K] float32 reconstructed from MatMulNBits' packed int4 operands (W[n,k] = (q − zp)·scale, zp = 8
    /// when <paramref name="zeroPoints"/> is null): the weight a frozen MatMulNBits multiplies by.
    /// </summary>
    public Value DequantInt4(Value packed, Value scales, Value? zeroPoints, long k, long n, long blockSize)
    {
        if (scales.Type != DType.F32)
            throw new Core.Errors.Med42Exception($"{scales.Name}: the ai.med42 DequantInt4 op needs float32 scales, got {scales.Type}");
        var attrs = new Dictionary<string, Attr> { ["K"] = k, ["N"] = n, ["block_size"] = blockSize };
        return Op("DequantInt4", zeroPoints is null ? [packed, scales] : [packed, scales, zeroPoints], DType.F32,
            [Dim.Of(n), Dim.Of(k)], attrs, Med42Domain);
    }

    private static Dictionary<string, Attr> RotaryAttrs(bool interleaved) => new() { ["interleaved"] = interleaved ? 1L : 0L };

    private static void RequireF32(Value x, string op)
    {
        if (x.Type != DType.F32)
            throw new Core.Errors.Med42Exception($"{x.Name}: the ai.med42 {op} op is float32 only, got {x.Type} (use --kernels onnx for other compute types)");
    }
}
