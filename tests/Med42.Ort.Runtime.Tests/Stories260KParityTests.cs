// stories260K through the ONNX decoder vs the float64 naive reference, via an HF folder round trip,
// and with float16 weights.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Runtime.Tests;

public class Stories260KParityTests
{
    private static readonly int[] Tokens = [1, 403, 407, 261, 378, 11, 260, 300, 42];

    private static float[] Logits(LlamaCheckpointLike m, DType compute = DType.F32)
    {
        using var decoder = ModelLoader.CreateDecoder(m.Config, m.Weights, new SessionSettings(), compute);
        using var cache = decoder.NewCache(1);
        var n = Tokens.Length;
        return decoder.Forward(Tokens.Select(t => (long)t).ToArray(), Enumerable.Range(0, n).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, cache);
    }

    private sealed record LlamaCheckpointLike(Llama.LlamaConfig Config, ITensorStore Weights);

    [SkippableFact]
    public void LogitsMatchTheNaiveReference()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var logits = Logits(new(ckpt.Config, ckpt.Weights));
        var expected = new NaiveLlama(ckpt.Config, ckpt.Weights).Forward(Tokens);
        var v = ckpt.Config.VocabSize;
        for (var t = 0; t < Tokens.Length; t++)
            for (var i = 0; i < v; i++)
                DecoderParityTests.AssertClose(expected[t][i], logits[t * v + i], 1e-5, $"t={t} v={i}"); // fp32 vs float64, as DecoderParityTests
    }

    [SkippableFact]
    public void HfFolderRoundTripGivesIdenticalLogits()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        using var dir = new TempDir();
        var folder = dir.File("hf");
        HfFolderWriter.Save(folder, ckpt.Config, ckpt.Weights, DType.F32);
        using var back = LlamaCheckpoint.Open(folder);
        Assert.Equal(Logits(new(ckpt.Config, ckpt.Weights)), Logits(new(back.Config, back.Weights))); // bitwise: same weights, same graph
    }

    [SkippableFact]
    public void Float16WeightsStayCloseToFloat32()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var fp32 = Logits(new(ckpt.Config, ckpt.Weights));
        var fp16 = Logits(new(ckpt.Config, ckpt.Weights), DType.F16);
        // fp16 has an 11-bit mantissa (≈5e-4 relative per rounding) and activations round at every op over
        // 5 layers; logits here are O(10), so 0.1 absolute bounds the drift while catching a broken graph.
        var maxDiff = fp32.Zip(fp16, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 0.1, $"max |fp32 - fp16| = {maxDiff}");
    }
}
