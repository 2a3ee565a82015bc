// The naive model path: one full forward per request through the plain decoder graph (logits [T,V],
// batch 1, no padding, no cache reuse), log-softmax in double in C# (NaiveScorer). It shares nothing
// with the fast path but the weights and the decoder blocks, so it is the oracle OnnxScorer is tested
// against, and the baseline `med42 bench eval` compares with.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;

namespace Med42.Ort.Eval.Onnx;

public sealed class NaiveModelScorer : ILoglikelihoodScorer, IDisposable
{
    private readonly NaiveScorer _naive;

    private NaiveModelScorer(DecoderSession decoder)
    {
        Decoder = decoder;
        _naive = new NaiveScorer(Forward);
    }

    /// <summary>The generation decoder (KV cache graph, full logits) this scorer runs.</summary>
    public DecoderSession Decoder { get; }

    /// <param name="linear">The projections' linear factory (plain when null; LoraLinear for base + adapter).</param>
    public static NaiveModelScorer Create(LlamaConfig config, ITensorStore weights, SessionSettings settings, ILinearFactory? linear = null)
    {
        var graph = new DecodingGraphBuilder(config, linear: linear).Build(weights);
        return new NaiveModelScorer(new DecoderSession(settings.CreateSession(OnnxExport.ToBytes(graph)), config));
    }

    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _naive.Score(requests, progress, cancellationToken);

    /// <summary>Logits [T,V] of one unpadded sequence from position 0.</summary>
    public float[,] Forward(int[] inputIds)
    {
        var t = inputIds.Length;
        using var cache = Decoder.NewCache(1);
        var flat = Decoder.Forward(inputIds.Select(i => (long)i).ToArray(), Enumerable.Range(0, t).Select(i => (long)i).ToArray(),
            Enumerable.Repeat(1L, t).ToArray(), 1, cache);
        var v = Decoder.Config.VocabSize;
        var logits = new float[t, v];
        Buffer.BlockCopy(flat, 0, logits, 0, flat.Length * sizeof(float));
        return logits;
    }

    public void Dispose() => Decoder.Dispose();
}
