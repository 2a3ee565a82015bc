// The `--attention gqa` decoder (com.microsoft GroupQueryAttention, SimplifiedLayerNormalization /
// SkipSimplifiedLayerNormalization) against the plain-ops decoder, which the project checks against
// llama2.c elsewhere: logits equal through a prompt and step by step through the KV cache, with GQA's
// fused rotary (head 16) and with a RotaryEmbedding node (stories260K, head 8); and a GenAI folder
// with past_present_share_buffer generates llama2.c's text (b) token for token like our plain session.
using System.Text.Json;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Med42.Ort.Export.Tests.GenAi;

public class GqaDecoderTests
{
    private static readonly LlamaConfig Head16 = new()
    {
        HiddenSize = 64, IntermediateSize = 96, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 96, MaxPositionEmbeddings = 64,
    };

    private static DecoderSession Session(LlamaConfig c, ITensorStore w, AttentionKind attention) =>
        Stories260K.Session(c, GenAiFolder.BuildGraph(c, w, new GenAiExportOptions { Attention = attention }));

    // Prompt of 7 tokens, then 6 single-token steps through the cache; every step's logits compared.
    private static void AssertSameLogits(LlamaConfig c, ITensorStore w)
    {
        using var plain = Session(c, w, AttentionKind.Plain);
        using var gqa = Session(c, w, AttentionKind.Gqa);
        using var plainCache = plain.NewCache(1);
        using var gqaCache = gqa.NewCache(1);
        long[] ids = [1, 5, 9, 17, 33, 2, 40];
        var mask = Enumerable.Repeat(1L, ids.Length).ToList();
        var pos = Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray();
        for (var step = 0; step < 7; step++)
        {
            var expected = plain.Forward(ids, pos, [.. mask], 1, plainCache);
            var actual = gqa.Forward(ids, pos, [.. mask], 1, gqaCache);
            Assert.Equal(expected.Length, actual.Length);
            var scale = expected.Max(Math.Abs);
            var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
            // 1e-5 relative: the same fp32 math, but GQA's fused softmax/rotary and the fused norms sum in another order.
            Assert.True(worst <= 1e-5 * scale, $"step {step}: max |Δlogit| {worst:E3} vs max |logit| {scale:E3}");
            var next = (long)(3 + step * 7 % (c.VocabSize - 3));
            ids = [next];
            pos = [mask.Count];
            mask.Add(1);
        }
        Assert.Equal(13, plainCache.PastLength); // 7 prompt tokens + 6 steps
        Assert.Equal(13, gqaCache.PastLength);
    }

    [Fact]
    public void FusedRotaryGqaEqualsPlainDecoderStepByStep()
    {
        Assert.True(GqaAttentionBlock.CanFuseRotary(Head16));
        AssertSameLogits(Head16, TinyLlama.Create(Head16, seed: 16, std: 0.2f));
    }

    [SkippableFact]
    public void RotaryNodeGqaEqualsPlainDecoderOnStories260K()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        Assert.False(GqaAttentionBlock.CanFuseRotary(ckpt.Config)); // head 8: ORT's fused rotary needs head_size % 16 == 0
        AssertSameLogits(ckpt.Config, ckpt.Weights);
    }

    [SkippableFact]
    public void SharedBufferGenAiFolderGeneratesTextB()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        using var dir = new TempDir();
        var folder = dir.File("gqa");
        GenAiFolder.Export(folder, ckpt.Config, ckpt.Weights, TokenizerSource.Find(Stories260K.ModelPath, Stories260K.TokenizerPath, ckpt.Config),
            new GenAiExportOptions { Attention = AttentionKind.Gqa, ExtraStopIds = [ckpt.Config.BosTokenId] });
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, GenAiConfig.FileName))))
            Assert.True(doc.RootElement.GetProperty("search").GetProperty("past_present_share_buffer").GetBoolean());

        using var plain = Session(ckpt.Config, ckpt.Weights, AttentionKind.Plain);
        var own = Stories260K.Greedy(plain, [1], 256);
        Assert.Equal(Stories260K.TextB(), Stories260K.Print(Core.Tokenizers.TokenizerLoader.Load(Stories260K.TokenizerPath), own));

        using var model = new Model(folder);
        using var p = new GeneratorParams(model);
        p.SetSearchOption("do_sample", false);
        p.SetSearchOption("max_length", 257);
        using var generator = new Microsoft.ML.OnnxRuntimeGenAI.Generator(model, p);
        generator.AppendTokens([1]);
        while (!generator.IsDone()) generator.GenerateNextToken();
        Assert.Equal(own, generator.GetSequence(0).ToArray());
    }
}
