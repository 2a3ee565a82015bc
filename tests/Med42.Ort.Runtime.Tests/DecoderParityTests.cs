// The ONNX decoder against the float64 naive reference (NaiveLlama) on random configs, and
// KV-cache stepping against one full-sequence pass.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Runtime.Tests;

public class DecoderParityTests
{
    // fp32 graph vs float64 loops: relative error of logits over a few layers stays ~1e-6; 1e-5 leaves margin
    // for summation-order differences in MatMul while still catching any wrong index or scale.
    private const double Fp32Tolerance = 1e-5;

    public static TheoryData<string, LlamaConfig> Configs => new()
    {
        { "gqa-tied", Config(c: 48, f: 97, l: 2, h: 6, hkv: 2, v: 61, tied: true) },
        { "mha-untied", Config(c: 32, f: 64, l: 2, h: 4, hkv: 4, v: 50, tied: false) },
        { "odd-sizes", Config(c: 36, f: 75, l: 3, h: 3, hkv: 1, v: 37, tied: false) },
    };

    private static LlamaConfig Config(int c, int f, int l, int h, int hkv, int v, bool tied) => new()
    {
        HiddenSize = c, IntermediateSize = f, NumHiddenLayers = l, NumAttentionHeads = h, NumKeyValueHeads = hkv,
        VocabSize = v, MaxPositionEmbeddings = 64, TieWordEmbeddings = tied, RopeTheta = 10000,
    };

    private static DecoderSession Session(LlamaConfig c, ITensorStore store, DType type = DType.F32)
    {
        var graph = new DecodingGraphBuilder(c, Precision.Of(type)).Build(store);
        return new DecoderSession(new SessionSettings().CreateSession(OnnxExport.ToBytes(graph)), c);
    }

    internal static void AssertClose(double expected, double actual, double relTol, string what)
    {
        var scale = Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= relTol * scale, $"{what}: expected {expected}, got {actual}");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void FullSequenceLogitsMatchTheNaiveReference(string name, LlamaConfig c)
    {
        using var store = RandomLlama.Create(c, 7);
        var naive = new NaiveLlama(c, store);
        using var session = Session(c, store);
        foreach (var tokens in new[] { new[] { 3 }, new[] { 1, 5, 9, 2, 30, 7, 7 } })
        {
            using var cache = session.NewCache(1);
            var n = tokens.Length;
            var logits = session.Forward(tokens.Select(t => (long)t).ToArray(), Enumerable.Range(0, n).Select(i => (long)i).ToArray(),
                Enumerable.Repeat(1L, n).ToArray(), 1, cache);
            var expected = naive.Forward(tokens);
            for (var t = 0; t < n; t++)
                for (var v = 0; v < c.VocabSize; v++)
                    AssertClose(expected[t][v], logits[t * c.VocabSize + v], Fp32Tolerance, $"{name} T={n} t={t} v={v}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void LeftPaddedBatchMatchesEachRowAlone(string name, LlamaConfig c)
    {
        using var store = RandomLlama.Create(c, 11);
        var naive = new NaiveLlama(c, store);
        using var session = Session(c, store);
        int[][] rows = [[1, 4, 8, 15, 16, 23], [1, 42 % c.VocabSize, 3]];
        var t = rows.Max(r => r.Length);
        var ids = new long[rows.Length * t];
        var mask = new long[rows.Length * t];
        var pos = new long[rows.Length * t];
        for (var r = 0; r < rows.Length; r++)
        {
            var pad = t - rows[r].Length;
            for (var i = 0; i < rows[r].Length; i++)
            {
                ids[r * t + pad + i] = rows[r][i];
                mask[r * t + pad + i] = 1;
                pos[r * t + pad + i] = i;
            }
        }
        using var cache = session.NewCache(rows.Length);
        var logits = session.Forward(ids, pos, mask, rows.Length, cache);
        for (var r = 0; r < rows.Length; r++)
        {
            var expected = naive.Forward(rows[r]);
            var pad = t - rows[r].Length;
            for (var i = 0; i < rows[r].Length; i++)
                for (var v = 0; v < c.VocabSize; v++)
                    AssertClose(expected[i][v], logits[((r * t) + pad + i) * c.VocabSize + v], Fp32Tolerance, $"{name} row {r} t={i}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void KvCacheSteppingMatchesOneFullPass(string name, LlamaConfig c)
    {
        using var store = RandomLlama.Create(c, 5);
        using var session = Session(c, store);
        long[] tokens = [1, 9, 4, 4, 17, 2, 8, 30];
        var n = tokens.Length;
        using var full = session.NewCache(1);
        var expected = session.Forward(tokens, Enumerable.Range(0, n).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, full);
        using var cache = session.NewCache(1);
        // A 3-token prefix, then one token at a time.
        var got = new List<float>(session.Forward(tokens[..3], [0, 1, 2], [1, 1, 1], 1, cache));
        for (var i = 3; i < n; i++)
            got.AddRange(session.Forward([tokens[i]], [i], Enumerable.Repeat(1L, i + 1).ToArray(), 1, cache));
        Assert.Equal(i64(n), cache.PastLength);
        for (var k = 0; k < expected.Length; k++) AssertClose(expected[k], got[k], 1e-5, $"{name} logit {k}");
    }

    private static long i64(int v) => v;
}
