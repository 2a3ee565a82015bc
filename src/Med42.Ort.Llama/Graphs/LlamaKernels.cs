// The norm/rotary kernel choice as the CLI, recipes and training options name it (--kernels onnx|native),
// and the strategy it selects.
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

/// <summary>Which implementation RMSNorm and rotary use: plain ONNX composites, or the ai.med42 custom ops (libmed42_ort_ops).</summary>
public enum LlamaKernels
{
    /// <summary>Standard ONNX ops only (default; runs on any ONNX Runtime).</summary>
    Onnx,
    /// <summary>ai.med42 RmsNorm / Rotary nodes: float32 only, the session must register libmed42_ort_ops.</summary>
    Native,
}

public static class LlamaKernelsExtensions
{
    public static INormKernels Strategy(this LlamaKernels kernels) => kernels switch
    {
        LlamaKernels.Onnx => OnnxKernels.Instance,
        LlamaKernels.Native => Med42Kernels.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kernels), kernels, null),
    };
}
