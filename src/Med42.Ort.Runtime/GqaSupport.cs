// Where ONNX Runtime's com.microsoft GroupQueryAttention can run, in one predicate: its input check
// (onnxruntime contrib_ops/cpu/bert/group_query_attention_helper.h, CheckInputs) refuses a head size
// that is not a multiple of 8 and a head count that is not a multiple of the KV head count, and its
// CUDA kernel takes fp16/bf16 only. `--attention auto` uses it to fall back to plain attention (the
// tiny random GGUF has head size 4). Test: tests/Med42.Ort.Runtime.Tests/GqaSupportTests.cs,
// which checks the predicate against ORT itself on both sides of the boundary.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Runtime;

public static class GqaSupport
{
    /// <summary>Null when GroupQueryAttention accepts this model on this device, else why not.</summary>
    public static string? WhyNot(LlamaConfig config, Device device, DType computeType = DType.F32)
    {
        if (config.HeadDim % 8 != 0) return $"GroupQueryAttention needs a head size that is a multiple of 8 (this model's is {config.HeadDim})";
        if (config.NumAttentionHeads % config.NumKeyValueHeads != 0)
            return $"GroupQueryAttention needs the head count ({config.NumAttentionHeads}) to be a multiple of the KV head count ({config.NumKeyValueHeads})";
        if (device == Device.Cuda && computeType is not (DType.F16 or DType.BF16))
            return $"ONNX Runtime's CUDA GroupQueryAttention takes fp16/bf16 only (compute type {computeType})";
        return null;
    }

    /// <summary>`--attention auto`: GroupQueryAttention (fastest decoding) wherever it can run, plain attention elsewhere.</summary>
    public static AttentionKind Auto(LlamaConfig config, Device device, DType computeType = DType.F32) =>
        WhyNot(config, device, computeType) is null ? AttentionKind.Gqa : AttentionKind.Plain;
}
