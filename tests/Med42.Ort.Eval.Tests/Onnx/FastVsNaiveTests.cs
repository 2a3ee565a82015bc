// The fast path (scoring graph with in-graph log-softmax, length-sorted batches with
// padding, prefix reuse through the KV cache) against the naive path (one unpadded full forward per
// request, log-softmax in double in C#), on real dev-file questions: every log-likelihood within 1e-4
// (float32 sums of ≤ a few dozen log-probs of magnitude ≤ 15 drift ~1e-5, so 1e-4 leaves a factor 10
// while a wrong position or a missing token moves a sum by a whole log-prob) and identical greedy
// flags and predictions.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Metrics;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests.Onnx;

public class FastVsNaiveTests
{
    private const double Tolerance = 1e-4;

    internal static void AssertSameScores(IReadOnlyList<TokenRequest> requests, IReadOnlyList<MultipleChoiceDoc> docs,
        IReadOnlyList<LoglikelihoodResult> naive, IReadOnlyList<LoglikelihoodResult> fast)
    {
        Assert.Equal(requests.Count, fast.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.True(Math.Abs(naive[i].LogLikelihood - fast[i].LogLikelihood) <= Tolerance,
                $"request {i}: naive {naive[i].LogLikelihood} fast {fast[i].LogLikelihood}");
            Assert.Equal(naive[i].IsGreedy, fast[i].IsGreedy);
        }
        var at = 0;
        foreach (var doc in docs)
        {
            var n = doc.Choices.Count;
            var a = EvalMetrics.Predict(naive.Skip(at).Take(n).Select(r => r.LogLikelihood).ToArray(), doc.Choices);
            var b = EvalMetrics.Predict(fast.Skip(at).Take(n).Select(r => r.LogLikelihood).ToArray(), doc.Choices);
            Assert.Equal(a, b);
            at += n;
        }
    }

    private static void Compare(LlamaConfig config, ITensorStore weights, ITextTokenizer tokenizer, int maxLength, int perTask, params int[] batchSizes)
    {
        var (requests, docs) = DevRequests.Build(tokenizer, maxLength, perTask);
        var settings = new SessionSettings { Threads = 1 };
        using var naiveScorer = NaiveModelScorer.Create(config, weights, settings);
        var naive = naiveScorer.Score(requests);
        using var graphs = ScoringGraphs.Create(config, weights, settings);
        foreach (var batch in batchSizes)
        {
            using var fast = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = batch });
            AssertSameScores(requests, docs, naive, fast.Score(requests));
            Assert.True(fast.LastStats.PrefixTokens > 0, "prefix reuse was exercised");
        }
    }

    [SkippableFact]
    public void Stories260K_DevQuestions()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var tokenizer = TokenizerLoader.Load(SharedData.Path("models/stories260K/tok512.model"), ckpt.Config.VocabSize);
        // seq_len 512: PubMedQA abstracts (≈1,500 tok512 tokens) are left-truncated, so truncated groups are covered too.
        Compare(ckpt.Config, ckpt.Weights, tokenizer, ckpt.Config.MaxPositionEmbeddings, perTask: 3, 1, 7);
    }

    private static LlamaConfig Random32k => new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 32000, MaxPositionEmbeddings = 1024,
    };

    [SkippableFact]
    public void Random32kLlama2Tokenizer_DevQuestions()
    {
        var tokenizer = TokenizerLoader.Load(SharedData.Path("tokenizers/llama2/tokenizer.model"));
        // std 0.3 so the 32000-way distributions are far from uniform and predictions are not near-ties.
        var weights = TinyLlama.Create(Random32k, seed: 7, std: 0.3f);
        Compare(Random32k, weights, tokenizer, Random32k.MaxPositionEmbeddings, perTask: 3, 5);
    }

    [SkippableFact]
    public void Random32k_LeftTruncation()
    {
        var tokenizer = TokenizerLoader.Load(SharedData.Path("tokenizers/llama2/tokenizer.model"));
        var weights = TinyLlama.Create(Random32k, seed: 8, std: 0.3f);
        // max length 64 truncates nearly every context; options of different lengths then share less prefix.
        Compare(Random32k, weights, tokenizer, maxLength: 64, perTask: 2, 3);
    }
}
