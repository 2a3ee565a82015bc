using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Runtime.Tests;

public class GeneratorTests
{
    private static readonly LlamaConfig Config = new()
    {
        HiddenSize = 32, IntermediateSize = 48, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 40, MaxPositionEmbeddings = 64,
    };

    private static DecoderSession Session()
    {
        var store = RandomLlama.Create(Config, 3, std: 0.5f);
        return new DecoderSession(new SessionSettings().CreateSession(OnnxExport.ToBytes(new DecodingGraphBuilder(Config).Build(store))), Config);
    }

    [Fact]
    public void GreedyBatchWithLeftPaddingEqualsEachPromptAlone()
    {
        using var session = Session();
        var gen = new Generator(session);
        var options = new GenerationOptions { Steps = 20 };
        IReadOnlyList<int>[] prompts = [[1, 5, 6, 7, 8, 9], [1, 3]];
        var batched = gen.Generate(prompts, options);
        for (var r = 0; r < prompts.Length; r++)
            Assert.Equal(gen.Generate([prompts[r]], options)[0], batched[r]);
        Assert.All(batched, s => Assert.Equal(21, s.Count)); // 20 forward passes: BOS + 20 tokens
    }

    [Fact]
    public void GreedyContinuationIsTheArgmaxOfAFullPass()
    {
        using var session = Session();
        var seq = new Generator(session).Generate([[1, 4]], new GenerationOptions { Steps = 8 })[0];
        // Re-run the whole sequence in one pass: every generated token must be the argmax at its previous position.
        using var cache = session.NewCache(1);
        var n = seq.Count;
        var logits = session.Forward(seq.Select(i => (long)i).ToArray(), Enumerable.Range(0, n).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, cache);
        for (var t = 1; t < n - 1; t++)
            if (t >= 1) Assert.Equal(seq[t + 1], Sampler.ArgMax(logits.AsSpan(t * Config.VocabSize, Config.VocabSize)));
    }

    [Fact]
    public void SamplingIsReproduciblePerSeedAndStopsOnStopIds()
    {
        using var session = Session();
        var gen = new Generator(session);
        var sampling = new SamplingOptions { Temperature = 1.0f, TopP = 0.9f, TopK = 10, Seed = 123 };
        var a = gen.Generate([[1, 2]], new GenerationOptions { Steps = 30, Sampling = sampling })[0];
        var b = gen.Generate([[1, 2]], new GenerationOptions { Steps = 30, Sampling = sampling })[0];
        Assert.Equal(a, b);
        var c = gen.Generate([[1, 2]], new GenerationOptions { Steps = 30, Sampling = sampling with { Seed = 124 } })[0];
        Assert.NotEqual(a, c);
        // Stopping on the token it would generate first leaves only the prompt.
        var stop = gen.Generate([[1, 2]], new GenerationOptions { Steps = 30, StopIds = new HashSet<int> { a[2] }, Sampling = sampling })[0];
        Assert.Equal([1, 2], stop);
    }

    [Fact]
    public void TopKOfOneIsGreedy()
    {
        float[] logits = [0.1f, 2.5f, 2.5f, -1f];
        var s = new Sampler(new SamplingOptions { Temperature = 0.7f, TopK = 1, Seed = 9 });
        for (var i = 0; i < 10; i++) Assert.Equal(1, s.Next(logits));
        Assert.Equal(1, Sampler.ArgMax(logits)); // first maximal index, as llama2.c
    }

    [Fact]
    public void BadSamplingOptionsAreRejected()
    {
        Assert.Throws<Core.Errors.Med42Exception>(() => new SamplingOptions { TopP = 0 }.Validate());
        Assert.Throws<Core.Errors.Med42Exception>(() => new SamplingOptions { Temperature = -1 }.Validate());
    }
}

public class GeneratorNonFiniteTests
{
    // A NaN weight reaching the runtime (an in-memory store, which no reader checks) makes every logit NaN:
    // generation must stop with a message rather than emit token 0 (argmax over NaN) or nothing.
    [Fact]
    public void NonFiniteLogitsStopGeneration()
    {
        var config = new LlamaConfig
        {
            HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2, VocabSize = 20, MaxPositionEmbeddings = 16,
        };
        var clean = RandomLlama.Create(config, 4);
        var store = new InMemoryTensorStore("<nan>");
        foreach (var t in clean.Tensors)
        {
            var v = clean.ReadFloat32(t.Name);
            if (t.Name == WeightLayout.FinalNorm) v[2] = float.NaN;
            store.AddFloat(t.Name, t.Shape, v);
        }
        using var session = ModelLoader.CreateDecoder(config, store, new SessionSettings());
        var e = Assert.Throws<Core.Errors.Med42Exception>(() => new Generator(session).Generate([[1, 3, 4]], new GenerationOptions { Steps = 6 }));
        Assert.Equal("generate: row 0, position 3: logit of token 0 is NaN: the model's output is not finite (NaN/Inf weights or an overflow); stopping", e.Message);
    }
}
