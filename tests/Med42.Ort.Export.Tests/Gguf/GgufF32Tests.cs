// stories260K exported to GGUF f32 is loaded by llama.cpp (LLamaSharp), whose greedy
// decoding prints MANIFEST §1.1 text (a) byte for byte through its own detokenizer and whose logits
// equal our decoder's; ggml's own GGUF reader sees the metadata with llama.cpp's key types; the
// project's reader reads every tensor back bit for bit (the q/k permutation round-trips to identity).
using System.Text;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Chat;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Xunit.Abstractions;

namespace Med42.Ort.Export.Tests.Gguf;

public class GgufF32Tests(ITestOutputHelper output)
{
    internal static DecoderSession OwnSession(LlamaConfig c, ITensorStore weights) =>
        Stories260K.Session(c, new DecodingGraphBuilder(c).Build(weights));

    [SkippableFact]
    public void LlamaCppGreedyPrintsTextAAndEqualsOurs()
    {
        using var cpp = LlamaCpp.Load(Stories260KGguf.Path(GgufQuant.F32));
        var ids = cpp.Greedy([1], steps: 200, stopId: 1);
        Assert.Equal(Stories260K.TextA(), cpp.Detokenize(ids));

        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        using var session = OwnSession(ckpt.Config, ckpt.Weights);
        Assert.Equal(Stories260K.Greedy(session, [1], 200), ids);
    }

    [SkippableFact]
    public void LlamaCppLogitsEqualOursOnTheFirst32Positions()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var c = ckpt.Config;
        var ids = TokenizerLoader.Load(Stories260K.TokenizerPath).Encode(Stories260K.TextB()).Take(32).ToArray();
        using var cpp = LlamaCpp.Load(Stories260KGguf.Path(GgufQuant.F32));
        var theirs = cpp.Logits(ids);
        using var session = OwnSession(c, ckpt.Weights);
        using var cache = session.NewCache(1);
        var ours = session.Forward([.. ids.Select(t => (long)t)], [.. Enumerable.Range(0, ids.Length).Select(i => (long)i)], [.. Enumerable.Repeat(1L, ids.Length)], 1, cache);
        double worst = 0;
        for (var t = 0; t < ids.Length; t++)
            for (var v = 0; v < c.VocabSize; v++)
                worst = Math.Max(worst, Math.Abs(theirs[t][v] - ours[t * c.VocabSize + v]));
        output.WriteLine($"max |llama.cpp − ours| over 32 positions × {c.VocabSize} logits: {worst:E2}");
        // Both run float32 end to end (F32 weights and KV cache); what differs is summation order in the
        // matmuls, softmax and RMSNorm, ~1e-6 relative on logits of magnitude ~10 after 5 layers.
        Assert.True(worst <= 1e-4, $"max logit difference {worst}");
    }

    [SkippableFact]
    public void ProjectReaderReadsEveryTensorBackBitForBit()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        using var back = LlamaCheckpoint.Open(Stories260KGguf.Path(GgufQuant.F32));
        Assert.Equal(CheckpointFormat.Gguf, back.Format);
        Assert.Equal(ckpt.Config, back.Config);
        foreach (var spec in WeightLayout.For(ckpt.Config))
        {
            Assert.Equal(DType.F32, back.Weights.Info(spec.Name).DType);
            Assert.Equal(ckpt.Weights.ReadFloat32(spec.Name), back.Weights.ReadFloat32(spec.Name));
        }
        Assert.False(back.Weights.Contains(WeightLayout.LmHead)); // tied: no output.weight
    }

    [SkippableFact]
    public void LlamaCppAndGgmlSeeTheMetadataAsTheConverterWritesIt()
    {
        var path = Stories260KGguf.Path(GgufQuant.F32);
        using var cpp = LlamaCpp.Load(path);
        var m = cpp.Model;
        Assert.Equal((64, 5, 8, 4, 512), (m.EmbeddingSize, m.LayerCount, m.HeadCount, m.KVHeadCount, m.ContextSize));
        Assert.Equal("stories260K", Encoding.UTF8.GetString(m.MetadataValueByKey("general.name")!.Value.Span));
        Assert.Equal(512, m.Vocab.Count);
        Assert.Equal(1, (int)m.Vocab.BOS!.Value);
        Assert.Equal(2, (int)m.Vocab.EOS!.Value);

        using var g = new Ggml.GgufContext(path);
        Assert.Equal(32u, g.Alignment);
        Assert.Equal(5 * 9 + 2, g.TensorCount); // token_embd, 9 per block, output_norm; no output (tied)
        Assert.True(g.FindTensor("output.weight") < 0);
        // gguf_type ids: 4 u32, 6 f32, 7 bool, 8 string, 9 array (element 8 string, 6 f32, 5 i32).
        (string Key, int Type)[] expected =
        [
            ("general.architecture", 8), ("general.name", 8), ("llama.vocab_size", 4), ("llama.context_length", 4), ("llama.embedding_length", 4),
            ("llama.block_count", 4), ("llama.feed_forward_length", 4), ("llama.rope.dimension_count", 4), ("llama.attention.head_count", 4),
            ("llama.attention.head_count_kv", 4), ("llama.attention.layer_norm_rms_epsilon", 6), ("llama.rope.freq_base", 6), ("general.file_type", 4),
            ("tokenizer.ggml.model", 8), ("tokenizer.ggml.tokens", 9), ("tokenizer.ggml.scores", 9), ("tokenizer.ggml.token_type", 9),
            ("tokenizer.ggml.bos_token_id", 4), ("tokenizer.ggml.eos_token_id", 4), ("tokenizer.ggml.unknown_token_id", 4),
            ("tokenizer.ggml.add_bos_token", 7), ("tokenizer.ggml.add_eos_token", 7), ("tokenizer.chat_template", 8),
        ];
        foreach (var (key, type) in expected) Assert.True(g.FindKey(key) >= 0 && g.KeyType(g.FindKey(key)) == type, $"{key}: type {(g.FindKey(key) >= 0 ? g.KeyType(g.FindKey(key)) : -1)}, expected {type}");
        Assert.Equal((8, 6, 5), (g.ArrayType(g.FindKey("tokenizer.ggml.tokens")), g.ArrayType(g.FindKey("tokenizer.ggml.scores")), g.ArrayType(g.FindKey("tokenizer.ggml.token_type"))));
        Assert.Equal("llama", g.String("general.architecture"));
        Assert.Equal((64u, 172u, 5u, 8u, 4u, 8u, 512u), (g.U32("llama.embedding_length"), g.U32("llama.feed_forward_length"), g.U32("llama.block_count"),
            g.U32("llama.attention.head_count"), g.U32("llama.attention.head_count_kv"), g.U32("llama.rope.dimension_count"), g.U32("llama.context_length")));
        Assert.Equal((1e-5f, 10000f), (g.F32("llama.attention.layer_norm_rms_epsilon"), g.F32("llama.rope.freq_base")));
        Assert.Equal(Med42ChatTemplate.Jinja, g.String("tokenizer.chat_template"));
        var sp = SentencePieceModel.Load(Stories260K.TokenizerPath);
        Assert.Equal(sp.Pieces.Count, g.ArrayLength(g.FindKey("tokenizer.ggml.tokens")));
        foreach (var i in new[] { 0, 1, 2, 3, 258, 259, 511 }) Assert.Equal(sp.Pieces[i].Piece, g.ArrayString("tokenizer.ggml.tokens", i));
    }
}
