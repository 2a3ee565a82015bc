// The norm/rotary kernel strategy: how RMSNorm and rotary are built — ONNX composites (OnnxKernels, any
// runtime, any float type) or the ai.med42 custom ops of libmed42_ort_ops (Med42Kernels, float32 only; the
// session must register the library). Shaped like ILinearFactory: the blocks call it, never branch on it.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public interface INormKernels
{
    /// <summary>How error messages name the choice ("--kernels onnx", "--kernels native").</summary>
    string Name { get; }

    /// <summary>Throws a Med42Exception when these kernels cannot compute in <paramref name="precision"/>.</summary>
    void Require(Precision precision);

    /// <summary>y = x / sqrt(mean(x², last axis) + ε) · w, [..., C].</summary>
    Value RmsNorm(GraphBuilder b, Value x, Value weight, double eps);

    /// <summary>The rotary embedding at <paramref name="positionIds"/> [B,T], caches in <paramref name="type"/>, built once per graph.</summary>
    IRotary Rotary(GraphBuilder b, LlamaConfig c, Value positionIds, DType type);
}

/// <summary>Rotates a [B, heads…, T, D] tensor (rank 4 or 5) at the positions its rotary was made for.</summary>
public interface IRotary
{
    Value Apply(GraphBuilder b, Value x);
}

/// <summary>RMSNorm and rotary from standard ONNX ops (RmsNormBlock, RotaryBlock): differentiable, any float type.</summary>
public sealed class OnnxKernels : INormKernels
{
    public static readonly OnnxKernels Instance = new();

    public string Name => "--kernels onnx";

    public void Require(Precision precision) { }

    public Value RmsNorm(GraphBuilder b, Value x, Value weight, double eps) => RmsNormBlock.Build(b, x, weight, eps);

    public IRotary Rotary(GraphBuilder b, LlamaConfig c, Value positionIds, DType type) => RotaryBlock.Create(b, c, positionIds, type);
}

/// <summary>One ai.med42 RmsNorm / Rotary node each (float32; gradients RmsNormGrad / RotaryGrad).</summary>
public sealed class Med42Kernels : INormKernels
{
    public static readonly Med42Kernels Instance = new();

    public string Name => "--kernels native";

    public void Require(Precision precision)
    {
        if (precision.Compute != DType.F32)
            throw new Core.Errors.Med42Exception($"--kernels native: the ai.med42 ops are float32 only, compute type is {precision.Compute} (use --kernels onnx)");
    }

    public Value RmsNorm(GraphBuilder b, Value x, Value weight, double eps) => b.Med42RmsNorm(x, weight, eps).Y;

    public IRotary Rotary(GraphBuilder b, LlamaConfig c, Value positionIds, DType type) => Med42Rotary.Create(b, c, positionIds, type);
}
