// The GroupQueryAttention predicate checked against ONNX Runtime itself: for head sizes on both sides of
// the boundary, a GQA decoder is built and run for a prompt and one cached step; it must run exactly
// when GqaSupport.WhyNot says it can. `--attention auto` then decodes the tiny random GGUF (head size 4), which
// crashed with the fused kernel before.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Runtime.Tests;

public class GqaSupportTests
{
    private static LlamaConfig WithHeadDim(int d, int heads = 2, int kvHeads = 1) => new()
    {
        HiddenSize = d * heads, IntermediateSize = 16, NumHiddenLayers = 1, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads,
        VocabSize = 24, MaxPositionEmbeddings = 32,
    };

    private static bool GqaRuns(LlamaConfig config)
    {
        try
        {
            using var decoder = ModelLoader.CreateDecoder(config, RandomLlama.Create(config, 1), new SessionSettings(), attention: AttentionKind.Gqa);
            new Generator(decoder).Generate([[1, 5, 6]], new GenerationOptions { Steps = 4 });
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(20)]
    [InlineData(24)]
    public void PredicateMatchesOnnxRuntime(int headDim)
    {
        var config = WithHeadDim(headDim);
        var why = GqaSupport.WhyNot(config, Device.Cpu);
        Assert.Equal(why is null, GqaRuns(config));
        Assert.Equal(why is null ? AttentionKind.Gqa : AttentionKind.Plain, GqaSupport.Auto(config, Device.Cpu));
        if (why is not null) Assert.Contains($"multiple of 8 (this model's is {headDim})", why);
    }

    [Fact]
    public void CudaNeedsHalfPrecision()
    {
        var config = WithHeadDim(16);
        Assert.Contains("fp16/bf16", GqaSupport.WhyNot(config, Device.Cuda, DType.F32));
        Assert.Null(GqaSupport.WhyNot(config, Device.Cuda, DType.F16));
        Assert.Equal(AttentionKind.Plain, GqaSupport.Auto(config, Device.Cuda));
    }

    [SkippableFact]
    public void AutoDecodesTheTinyGguf()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf"));
        Assert.Equal(4, ckpt.Config.HeadDim);
        var attention = GqaSupport.Auto(ckpt.Config, Device.Cpu);
        Assert.Equal(AttentionKind.Plain, attention);
        using var decoder = ModelLoader.CreateDecoder(ckpt.Config, ckpt.Weights, new SessionSettings(), attention: attention);
        var tokens = new Generator(decoder).Generate([[1, 450, 4996]], new GenerationOptions { Steps = 8 })[0];
        Assert.Equal(9, tokens.Count);
    }
}
