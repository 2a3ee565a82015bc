// An independent reference Llama forward pass: plain loops in float64 over HF-layout weights
// (half-rotation RoPE on permuted wq/wk, as transformers' LlamaForCausalLM). The oracle for the ONNX graph.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;

namespace Med42.Ort.Runtime.Tests;

public sealed class NaiveLlama
{
    private readonly LlamaConfig _c;
    private readonly Dictionary<string, double[]> _w = [];

    public NaiveLlama(LlamaConfig config, ITensorStore store)
    {
        _c = config;
        foreach (var spec in WeightLayout.For(config))
            _w[spec.Name] = store.ReadFloat32(spec.Name).Select(v => (double)v).ToArray();
    }

    /// <summary>Logits [T, V] for one unpadded sequence at positions 0..T-1.</summary>
    public double[][] Forward(IReadOnlyList<int> tokens)
    {
        var (c, n) = (_c, tokens.Count);
        int C = c.HiddenSize, H = c.NumAttentionHeads, Hkv = c.NumKeyValueHeads, D = c.HeadDim, F = c.IntermediateSize;
        var x = tokens.Select(t => _w[WeightLayout.Embedding].AsSpan(t * C, C).ToArray()).ToArray();
        for (var l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = WeightLayout.LayerPrefix(l);
            var keys = new double[n][];
            var values = new double[n][];
            var queries = new double[n][];
            for (var t = 0; t < n; t++)
            {
                var h = RmsNorm(x[t], _w[WeightLayout.InputNorm(l)]);
                queries[t] = Rope(Linear(h, _w[WeightLayout.Projection(l, "q_proj")], H * D), t, H);
                keys[t] = Rope(Linear(h, _w[WeightLayout.Projection(l, "k_proj")], Hkv * D), t, Hkv);
                values[t] = Linear(h, _w[WeightLayout.Projection(l, "v_proj")], Hkv * D);
            }
            for (var t = 0; t < n; t++)
            {
                var attn = new double[H * D];
                for (var head = 0; head < H; head++)
                {
                    var kvh = head / (H / Hkv);
                    var scores = new double[t + 1];
                    for (var s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (var i = 0; i < D; i++) dot += queries[t][head * D + i] * keys[s][kvh * D + i];
                        scores[s] = dot / Math.Sqrt(D);
                    }
                    var max = scores.Max();
                    var exps = scores.Select(v => Math.Exp(v - max)).ToArray();
                    var sum = exps.Sum();
                    for (var s = 0; s <= t; s++)
                        for (var i = 0; i < D; i++) attn[head * D + i] += exps[s] / sum * values[s][kvh * D + i];
                }
                var o = Linear(attn, _w[WeightLayout.Projection(l, "o_proj")], C);
                for (var i = 0; i < C; i++) x[t][i] += o[i];
                var h2 = RmsNorm(x[t], _w[WeightLayout.PostAttentionNorm(l)]);
                var gate = Linear(h2, _w[WeightLayout.Projection(l, "gate_proj")], F);
                var up = Linear(h2, _w[WeightLayout.Projection(l, "up_proj")], F);
                var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                var down = Linear(act, _w[WeightLayout.Projection(l, "down_proj")], C);
                for (var i = 0; i < C; i++) x[t][i] += down[i];
            }
        }
        var head_ = _w[c.TieWordEmbeddings ? WeightLayout.Embedding : WeightLayout.LmHead];
        return x.Select(v => Linear(RmsNorm(v, _w[WeightLayout.FinalNorm]), head_, c.VocabSize)).ToArray();
    }

    private double[] RmsNorm(double[] x, double[] w)
    {
        var ms = x.Sum(v => v * v) / x.Length;
        var inv = 1.0 / Math.Sqrt(ms + _c.RmsNormEps);
        return x.Select((v, i) => v * inv * w[i]).ToArray();
    }

    // y[o] = Σ_i W[o, i] x[i]  (W is [out, in]).
    private static double[] Linear(double[] x, double[] w, int outFeatures)
    {
        var y = new double[outFeatures];
        for (var o = 0; o < outFeatures; o++)
        {
            double s = 0;
            for (var i = 0; i < x.Length; i++) s += w[o * x.Length + i] * x[i];
            y[o] = s;
        }
        return y;
    }

    // HF rotate_half: within each head, element i pairs with i + D/2.
    private double[] Rope(double[] v, int pos, int heads)
    {
        var D = _c.HeadDim;
        var r = (double[])v.Clone();
        for (var h = 0; h < heads; h++)
            for (var i = 0; i < D / 2; i++)
            {
                var angle = pos * Math.Pow(_c.RopeTheta, -2.0 * i / D);
                var (a, b) = (v[h * D + i], v[h * D + i + D / 2]);
                r[h * D + i] = a * Math.Cos(angle) - b * Math.Sin(angle);
                r[h * D + i + D / 2] = b * Math.Cos(angle) + a * Math.Sin(angle);
            }
        return r;
    }
}
