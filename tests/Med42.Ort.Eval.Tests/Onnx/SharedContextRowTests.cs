// The scoring graph against the plain full-sequence graph: one shared-context row
// [context | option A | option B | padding] (ScoringGraphBuilder.SharedContext) must give, at every context and
// option slot, the next-token distribution (log-probabilities of every vocabulary entry, each scored as a target)
// of that option's own unpadded sequence (context + option) run alone through the plain causal graph
// (ScoringGraphBuilder.FullSequence) — with plain attention and with com.microsoft MultiHeadAttention
// (MhaAttentionBlock), for grouped-query (Hkv < H) and multi-head configurations; and the scored-rows-only
// last layer of MultiHeadAttention equals the plain graph gathered after its norm.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Eval.Tests.Onnx;

public class SharedContextRowTests
{
    private static readonly long[] Context = [1, 7, 12, 5, 30];
    private static readonly long[] OptionA = [9, 14, 3];
    private static readonly long[] OptionB = [22, 8];

    public static TheoryData<int, int, string> Configs => new()
    {
        { 4, 2, "plain" }, { 4, 2, "mha" }, { 4, 4, "mha" }, { 2, 1, "mha" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryOptionSlotEqualsTheOptionRunAlone(int heads, int kvHeads, string attention)
    {
        var c = new LlamaConfig
        {
            HiddenSize = 32, IntermediateSize = 48, NumHiddenLayers = 2, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads,
            VocabSize = 40, MaxPositionEmbeddings = 16,
        };
        var w = TinyLlama.Create(c, seed: 5, std: 0.3f);
        var settings = new SessionSettings { Threads = 1 };

        // The row is longer (5 + 3 + 2 + 2 = 12 slots) than any option's sequence, as in real scoring rows.
        long[] ids = [.. Context, .. OptionA, .. OptionB, 0, 0];
        long[] seg = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 0, 0];
        long[] pos = [0, 1, 2, 3, 4, 5, 6, 7, 5, 6, 0, 0];
        var rowGraph = new ScoringGraphBuilder(c, attention: Enum.Parse<AttentionKind>(attention, ignoreCase: true).ForScoring()).SharedContext(w);
        // Every vocabulary entry at every filled slot (0..9) is one scored (position, target) pair.
        const int filled = 10;
        long[] scoreAt = [.. Enumerable.Range(0, filled).SelectMany(slot => Enumerable.Repeat((long)slot, c.VocabSize))];
        long[] everyToken = [.. Enumerable.Range(0, filled).SelectMany(_ => Enumerable.Range(0, c.VocabSize).Select(v => (long)v))];
        var row = Run(settings, rowGraph, ScoringGraphBuilder.TargetLogProbs, ("input_ids", ids), ("position_ids", pos), ("segment_ids", seg),
            (LlamaGraph.ScorePositions, scoreAt), (ScoringGraphBuilder.Targets, everyToken));

        var aloneGraph = new ScoringGraphBuilder(c).FullSequence(w);
        foreach (var (option, start) in new[] { (OptionA, 5), (OptionB, 8) })
        {
            long[] seq = [.. Context, .. option];
            var alone = LogSoftmax(Run(settings, aloneGraph, "logits", ("input_ids", seq), ("position_ids", Enumerable.Range(0, seq.Length).Select(i => (long)i).ToArray()),
                ("attention_mask", Enumerable.Repeat(1L, seq.Length).ToArray())), c.VocabSize);
            // Context slots (0..4) and this option's slots, mapped to the sequence alone.
            var slots = Enumerable.Range(0, Context.Length).Select(i => (Row: i, Alone: i))
                .Concat(Enumerable.Range(0, option.Length).Select(j => (Row: start + j, Alone: Context.Length + j)));
            foreach (var (r, a) in slots)
                for (var v = 0; v < c.VocabSize; v++)
                {
                    var expected = alone[a * c.VocabSize + v];
                    // fp32: the same math with another summation order (fused softmax, longer rows), log-softmax in fp32
                    // against float64 over the same fp32 logits: 1e-5 relative to |log p| ≥ 1.
                    Assert.True(Math.Abs(row[r * c.VocabSize + v] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)),
                        $"{attention} H={heads} Hkv={kvHeads}: slot {r} (alone {a}) vocab {v}: {row[r * c.VocabSize + v]} vs {expected}");
                }
        }
    }

    // Scored rows only: through MultiHeadAttention the last layer computes just those rows (queries, output, MLP);
    // the plain block computes every row and gathers after the final norm. Same log-probabilities.
    [Fact]
    public void LastLayerOnScoredRowsEqualsGatheringAfterTheNorm()
    {
        var c = new LlamaConfig
        {
            HiddenSize = 32, IntermediateSize = 48, NumHiddenLayers = 3, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 40, MaxPositionEmbeddings = 16,
        };
        var w = TinyLlama.Create(c, seed: 9, std: 0.3f);
        var settings = new SessionSettings { Threads = 1 };
        long[] ids = [.. Context, .. OptionA, .. OptionB, 0, 0, .. Context, .. OptionB, .. OptionA, 0, 0];   // two rows of 12
        long[] seg = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 0, 0];
        long[] pos = [0, 1, 2, 3, 4, 5, 6, 7, 5, 6, 0, 0, 0, 1, 2, 3, 4, 5, 6, 5, 6, 7, 0, 0];
        long[] scoreAt = [4, 5, 6, 8, 2, 4, 5, 7, 8, 9];   // per row: the context's last slot, option slots, one context slot
        long[] targets = [9, 14, 3, 8, 3, 22, 8, 14, 3, 1];
        float[] Run(IFullSequenceAttention attention)
        {
            var graph = new ScoringGraphBuilder(c, attention: attention).SharedContext(w);
            using var session = settings.CreateSession(OnnxExport.ToBytes(graph));
            using var a = OrtValue.CreateTensorValueFromMemory(ids, [2, 12]);
            using var bPos = OrtValue.CreateTensorValueFromMemory(pos, [2, 12]);
            using var bSeg = OrtValue.CreateTensorValueFromMemory(seg, [2, 12]);
            using var bAt = OrtValue.CreateTensorValueFromMemory(scoreAt, [2, 5]);
            using var bTargets = OrtValue.CreateTensorValueFromMemory(targets, [2, 5]);
            using var outputs = session.Run(new RunOptions(), ["input_ids", "position_ids", "segment_ids", LlamaGraph.ScorePositions, "targets"],
                [a, bPos, bSeg, bAt, bTargets], ["target_log_probs"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        var plain = Run(PlainAttention.Instance);
        var mha = Run(MultiHeadAttention.Instance);
        Assert.Equal(10, plain.Length);
        for (var i = 0; i < plain.Length; i++)
            Assert.True(Math.Abs(plain[i] - mha[i]) <= 1e-5 * Math.Max(1, Math.Abs(plain[i])), $"score {i}: {mha[i]} vs {plain[i]}");
    }

    // log p = logits − logsumexp(logits) per row of V, in float64.
    private static double[] LogSoftmax(float[] logits, int v)
    {
        var result = new double[logits.Length];
        for (var r = 0; r < logits.Length / v; r++)
        {
            var row = logits.AsSpan(r * v, v);
            double max = double.NegativeInfinity, sum = 0;
            foreach (var x in row) max = Math.Max(max, x);
            foreach (var x in row) sum += Math.Exp(x - max);
            for (var i = 0; i < v; i++) result[r * v + i] = row[i] - max - Math.Log(sum);
        }
        return result;
    }

    private static float[] Run(SessionSettings settings, Graph.Ir.IrGraph graph, string output, params (string Name, long[] Data)[] inputs)
    {
        using var session = settings.CreateSession(OnnxExport.ToBytes(graph));
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, [1, i.Data.Length])).ToArray();
        try
        {
            using var outputs = session.Run(new RunOptions(), inputs.Select(i => i.Name).ToArray(), values, [output]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
