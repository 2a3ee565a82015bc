// The llama.cpp peer paths of `bench generate` and `bench eval` at a tiny random shape: llama.cpp on our GGUF export
// of the weights passes the f32 validation (same greedy tokens, prompt logits within 1e-4, the same log-likelihoods
// as our scoring graph), and the validation refuses llama.cpp running other weights. The end-to-end runs use
// stories260K (../shared/data) with --quick.
using System.Globalization;
using Med42.Ort.Bench.Peers;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Bench.Tests.Peers;

public class LlamaCppPeerTests
{
    // GQA (4 heads over 2 KV heads) and row lengths that are multiples of 32, so the q4_0 file is all Q4_0 blocks.
    // An untied head: with small random weights a tied head mostly predicts the input token again (x·Eᵀ peaks at x's
    // own row), so greedy sequences of any two such models agree and the token check would prove nothing.
    private static readonly LlamaConfig Tiny = new()
    {
        HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 512,
        MaxPositionEmbeddings = 64,
    };

    private static readonly int[] Prompt = [1, 40, 77, 300, 12, 5, 260, 99];

    private static List<IGenerationRunner> Runners(PeerGguf gguf, int llamaCppSeed)
    {
        var weights = TinyLlama.Create(Tiny, seed: 1);
        var theirs = llamaCppSeed == 1 ? weights : TinyLlama.Create(Tiny, seed: llamaCppSeed);
        var vocabulary = PeerGguf.SyntheticVocabulary(Tiny);
        var runners = GenerationRunners.Ours(Tiny, weights, threads: 1, int4: true);
        runners.AddRange(GenerationRunners.LlamaCpp(Tiny, gguf.Export(Tiny, theirs, vocabulary, GgufQuant.F32), gguf.Export(Tiny, theirs, vocabulary, GgufQuant.Q4_0), threads: 1));
        return runners;
    }

    [Fact]
    public void LlamaCppOnOurGgufPassesTheF32ValidationAndEveryDecoderTimes()
    {
        using var gguf = new PeerGguf();
        var runners = Runners(gguf, llamaCppSeed: 1);
        try
        {
            Assert.Equal(["plain", "gqa", "int4 gqa", "llama.cpp f32", "llama.cpp q4_0"], runners.Select(r => r.Name));
            var diff = GenerateBenchmark.Validate("tiny", runners, Prompt, steps: 40);
            Assert.NotNull(diff);
            Assert.InRange(diff!.Value, 0, PeerValidation.LogitTolerance);
            Assert.True(runners[0].Greedy(40).Distinct().Count() > 5, "the greedy sequence is informative");
            foreach (var r in runners)
            {
                Assert.Equal(41, r.Greedy(40).Count);   // BOS + 40 tokens, no stop token
                Assert.True(r.PromptRate(Prompt) > 0 && r.GenerateRate(8) > 0, r.Name);
            }
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
    }

    [Fact]
    public void LlamaCppOnOtherWeightsIsRefused()
    {
        using var gguf = new PeerGguf();
        var runners = Runners(gguf, llamaCppSeed: 2);
        try
        {
            var e = Assert.Throws<PeerMismatchException>(() => GenerateBenchmark.Validate("tiny", runners, Prompt, steps: 40));
            Assert.Contains("llama.cpp f32: greedy tokens differ", e.Message);
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
    }

    [Fact]
    public void LlamaCppScorerGivesOurLoglikelihoodsAndRefusesOtherWeights()
    {
        var config = Tiny;
        var weights = TinyLlama.Create(config, seed: 3);
        using var gguf = new PeerGguf();
        var vocabulary = PeerGguf.SyntheticVocabulary(config);
        // Four options sharing a context (how MCQ requests look), targets of 1–3 tokens, and one with no target.
        int[] context = [1, 17, 230, 45, 99, 310, 8];
        TokenRequest[] requests =
        [
            new([.. context, 400], [400]), new([.. context, 401, 402], [401, 402]), new([.. context, 3, 4, 5], [3, 4, 5]), new([.. context, 77], [77]),
            new([1, 9, 9, 9], []),
        ];
        using var graphs = ScoringGraphs.Create(config, weights, new SessionSettings { Threads = 1 });
        using var ours = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 4 });
        var expected = ours.Score(requests);
        int[] targets = [.. requests.Select(r => r.TargetIds.Length)];

        using (var model = LlamaCppModel.Load(gguf.Export(config, weights, vocabulary, GgufQuant.F32), threads: 1, config.MaxPositionEmbeddings))
        {
            var got = new LlamaCppScorer(model).Score(requests);
            Assert.InRange(PeerValidation.SameLoglikelihoods(expected, got, targets), 0, PeerValidation.LogitTolerance);
            Assert.Equal(expected.Select(r => r.IsGreedy), got.Select(r => r.IsGreedy));
            Assert.Equal((0.0, true), (got[4].LogLikelihood, got[4].IsGreedy));
        }
        using var other = LlamaCppModel.Load(gguf.Export(config, TinyLlama.Create(config, seed: 4), vocabulary, GgufQuant.F32), threads: 1, config.MaxPositionEmbeddings);
        Assert.Throws<PeerMismatchException>(() => PeerValidation.SameLoglikelihoods(expected, new LlamaCppScorer(other).Score(requests), targets));
    }

    [SkippableFact]
    public void GenerateWithTheLlamaCppPeerWritesRatioRows()
    {
        var stories = SharedData.Path("models/stories260K/stories260K.bin");
        using var dir = new TempDir();
        var csv = dir.File("bench.csv");
        var code = Benchmarks.Run("generate", new BenchOptions
        {
            Models = "stories260K", Stories260K = stories, Threads = "1", Repeats = 1, Quick = true, Csv = csv, Peer = BenchPeer.LlamaCpp,
        }, CancellationToken.None);
        Assert.Equal(0, code);
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var setting in new[] { "attention=plain", "attention=gqa", "attention=gqa weights=int4", "peer=llama.cpp quant=f32", "peer=llama.cpp quant=q4_0" })
            Assert.Contains(rows, r => r[3] == $"{setting} threads=1" && r[4] == "gen_tok_s" && double.Parse(r[5], CultureInfo.InvariantCulture) > 0);
        var ratios = rows.Where(r => r[4] == "gen_ratio_vs_llamacpp").ToList();
        Assert.Equal(["ours=gqa peer=llama.cpp f32 threads=1", "ours=int4 gqa peer=llama.cpp q4_0 threads=1"], ratios.Select(r => r[3]));
        Assert.All(ratios, r => Assert.True(double.Parse(r[5], CultureInfo.InvariantCulture) > 0));
    }

    // ~20 s: the 15M scoring shape (32000 vocabulary) exported, validated and timed once on two MedQA questions.
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void EvalWithTheLlamaCppPeerValidatesAndWritesItsRows()
    {
        var tokenizer = SharedData.Path("tokenizers/llama2/tokenizer.model");
        var medqa = SharedData.Path("medqa/phrases_no_exclude_dev.jsonl");
        using var dir = new TempDir();
        var csv = dir.File("eval.csv");
        var code = Benchmarks.Run("eval", new BenchOptions
        {
            Models = "15M", Threads = "1", Repeats = 1, Quick = true, NaiveQuestions = 1, BatchSizes = "4", FullLogitsBatch = 0,
            Tokenizer = tokenizer, MedQa = medqa, Csv = csv, Peer = BenchPeer.LlamaCpp,
        }, CancellationToken.None);
        Assert.Equal(0, code);
        var rows = File.ReadAllLines(csv);
        Assert.Contains(rows, r => r.StartsWith("eval,15M,llama.cpp f32 (one decode per request),1,", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("eval,15M,fast-over-llama.cpp,4,", StringComparison.Ordinal));
    }
}
