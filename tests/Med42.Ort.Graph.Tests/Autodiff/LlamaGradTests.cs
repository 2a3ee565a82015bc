// Whole-model gradient check: a tiny float64 Llama (ScoringGraphBuilder.FullSequence, plain linears, no KV cache) with a
// SoftmaxCrossEntropyLoss over shifted labels (some −100) is differentiated with respect to every
// parameter, and seeded samples of every gradient tensor are compared with central finite differences.
// Also: the rule table covers every op the graph uses, and frozen weights (LoRA-like) get no gradient nodes.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared.Autodiff;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Graph.Tests.Autodiff;

public class LlamaGradTests
{
    private const int B = 2, T = 5;
    private static readonly LlamaConfig Config = new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 23, MaxPositionEmbeddings = 16, RopeTheta = 10000,
    };

    private sealed record Model(GraphBuilder Builder, InputWeightBinder Weights, Value Loss, int ForwardNodes);

    private static Model Build(LlamaConfig c)
    {
        var b = new GraphBuilder("llama_train");
        var weights = new InputWeightBinder();
        var logits = new ScoringGraphBuilder(c, Precision.F64).FullSequence(b, weights);
        var labels = b.Input("labels", DType.I64, LlamaGraph.Batch, LlamaGraph.Sequence);
        var loss = b.SoftmaxCrossEntropyLoss(b.Reshape(logits, [-1, c.VocabSize]), b.Reshape(labels, [-1]), -100);
        b.Output(loss, "loss");
        return new Model(b, weights, loss, b.Graph.Nodes.Count);
    }

    [Fact]
    public void RuleTableCoversEveryDifferentiableOpOfTheLlamaGraph()
    {
        var m = Build(Config);
        var floatOps = m.Builder.Graph.Nodes
            .Where(n => n.Outputs.Any(o => o.Type.IsFloat()) && n.Inputs.Any(i => i is not null && i.Type.IsFloat()))
            .Select(n => n.Domain == "" ? n.OpType : $"{n.Domain}:{n.OpType}").Distinct().Order().ToList();
        Assert.Contains("MatMul", floatOps);       // sanity: the list is the real graph's
        Assert.Contains("Softmax", floatOps);
        Assert.DoesNotContain(floatOps, op => !GradientRules.OpTypes.Contains(op));
    }

    [Fact]
    public void EveryParameterGradientMatchesFiniteDifferences()
    {
        var m = Build(Config);
        var forward = OnnxExport.ToBytes(m.Builder.Graph);
        var specs = WeightLayout.For(Config);
        var wrt = specs.Select(s => m.Weights.Inputs[s.Name]).ToList();
        var grads = Differentiator.Gradients(m.Builder, m.Loss, wrt);
        for (var i = 0; i < specs.Count; i++)
            m.Builder.Output(grads[i] ?? throw new InvalidOperationException($"{specs[i].Name} got no gradient"), specs[i].Name + "_grad");
        var withGrads = OnnxExport.ToBytes(m.Builder.Graph);

        var rng = new Random(42);
        // Weights ~ U(−0.5, 0.5) keep the activations O(1), so the loss is smooth at the scale of h.
        var w = specs.ToDictionary(s => s.Name, s => GradCheck.Random(rng, s.ElementCount, -0.5, 0.5));
        var feeds = Data(rng);
        using var gradSession = new SessionSettings().CreateSession(withGrads);
        using var f = new SessionSettings().CreateSession(forward);
        using var results = gradSession.Run(Feeds(specs, w, feeds), specs.Select(s => s.Name + "_grad").ToArray());
        var analytic = results.ToDictionary(r => r.Name, r => r.AsTensor<double>().ToArray());

        foreach (var s in specs)
        {
            var g = analytic[s.Name + "_grad"];
            Assert.Equal(s.ElementCount, g.Length);
            // 8 seeded elements per tensor (plus its largest-gradient element, so no tensor is checked only near zero).
            var picks = Enumerable.Range(0, 8).Select(_ => rng.Next(g.Length)).Append(Array.IndexOf(g, g.MaxBy(Math.Abs))).Distinct();
            foreach (var j in picks)
            {
                GradCheck.AssertClose(g[j], GradCheck.Central(() => Loss(f, specs, w, feeds), w[s.Name], j), $"{s.Name}[{j}]");
            }
            Assert.True(g.Any(v => Math.Abs(v) > 1e-6), $"{s.Name}: gradient is identically zero");
        }
    }

    [Fact]
    public void FrozenWeightsGetNoGradientNodes()
    {
        // LoRA-like: every weight is an input, but only q_proj and v_proj are differentiated.
        var m = Build(Config);
        var specs = WeightLayout.For(Config);
        var trainable = specs.Where(s => s.Module is "q_proj" or "v_proj").ToList();
        var grads = Differentiator.Gradients(m.Builder, m.Loss, trainable.Select(s => m.Weights.Inputs[s.Name]).ToList());
        Assert.All(grads, g => Assert.NotNull(g));
        var backward = m.Builder.Graph.Nodes.Skip(m.ForwardNodes).ToList();
        Assert.All(backward, n => Assert.StartsWith("/grad/", n.Name, StringComparison.Ordinal));

        foreach (var s in specs.Where(s => !trainable.Contains(s)))
        {
            var weight = m.Weights.Inputs[s.Name];
            // The nodes that read the frozen weight directly (its Transpose, the embedding Gather, the norm Mul)
            // must have no gradient rule applied for the weight: no backward node is scoped under a Transpose
            // or Gather of it, and its MatMul's scope holds at most the input-gradient product.
            foreach (var consumer in m.Builder.Graph.Nodes.Take(m.ForwardNodes).Where(n => n.Inputs.Contains(weight)))
            {
                var scope = "/grad" + consumer.Name + "/";
                if (consumer.OpType is "Transpose" or "Gather")
                    Assert.DoesNotContain(backward, n => n.Name.StartsWith(scope, StringComparison.Ordinal));
                if (consumer.OpType == "Transpose")
                    foreach (var mm in m.Builder.Graph.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Contains(consumer.Outputs[0])))
                    {
                        // At most the input-gradient product (none where the input does not lead to a trainable weight either).
                        var products = backward.Count(n => n.OpType == "MatMul" && n.Name.StartsWith("/grad" + mm.Name + "/", StringComparison.Ordinal));
                        Assert.True(products <= 1, $"{mm.Name}: {products} gradient MatMuls for a frozen weight");
                    }
            }
        }

        // Against full differentiation of the same graph, every frozen tensor saves at least one node.
        var full = Build(Config);
        Differentiator.Gradients(full.Builder, full.Loss, specs.Select(s => full.Weights.Inputs[s.Name]).ToList());
        var fullBackward = full.Builder.Graph.Nodes.Count - full.ForwardNodes;
        Assert.True(backward.Count <= fullBackward - (specs.Count - trainable.Count), $"backward nodes: LoRA-like {backward.Count}, full {fullBackward}");
    }

    [Fact]
    public void CheckpointingRecomputesLayersAndGivesIdenticalGradients()
    {
        var specs = WeightLayout.For(Config);
        var rng = new Random(7);
        var w = specs.ToDictionary(s => s.Name, s => GradCheck.Random(rng, s.ElementCount, -0.5, 0.5));
        var data = Data(rng);
        Dictionary<string, double[]> Run(GradientOptions? options)
        {
            var m = Build(Config);
            var grads = Differentiator.Gradients(m.Builder, m.Loss, specs.Select(s => m.Weights.Inputs[s.Name]).ToList(), options);
            for (var i = 0; i < specs.Count; i++) m.Builder.Output(grads[i]!, specs[i].Name + "_grad");
            if (options is not null)
            {
                // A layer's rules read its recomputed values, never the layer's own forward activations
                // (its inputs, e.g. the previous layer's output, are the checkpoints and stay).
                for (var layer = 0; layer < Config.NumHiddenLayers; layer++)
                {
                    var key = $"layers.{layer}";
                    var own = m.Builder.Graph.Nodes.Take(m.ForwardNodes).Where(n => LlamaGraph.DecoderLayerOf(n) == key).SelectMany(n => n.Outputs).ToHashSet();
                    var rules = m.Builder.Graph.Nodes.Skip(m.ForwardNodes).Where(n => n.Name.StartsWith($"/grad/model/{key}/", StringComparison.Ordinal)).ToList();
                    Assert.NotEmpty(rules);
                    Assert.DoesNotContain(rules, n => n.Inputs.Any(i => i is not null && own.Contains(i)));
                }
                Assert.Contains(m.Builder.Graph.Nodes, n => n.Name.StartsWith("/grad/recompute/model/layers.1/", StringComparison.Ordinal));
            }
            // As training sessions run it (TrainingSession): without the fusions that apply only where no gradient node
            // reads the intermediates (so the really recomputed clones would be fused and the forward not) and without
            // CSE (it would merge the clones back into the forward).
            using var so = new SessionSettings().CreateOptions();
            so.AddSessionConfigEntry("optimization.disable_specified_optimizers",
                "SimplifiedLayerNormFusion;MatMulScaleFusion;QuickGeluFusion;CommonSubexpressionElimination");
            using var session = new InferenceSession(OnnxExport.ToBytes(m.Builder.Graph), so);
            using var results = session.Run(Feeds(specs, w, data), specs.Select(s => s.Name + "_grad").ToArray());
            return results.ToDictionary(r => r.Name, r => r.AsTensor<double>().ToArray());
        }
        var plain = Run(null);
        var recomputed = Run(new GradientOptions { RecomputeGroup = LlamaGraph.DecoderLayerOf });
        // The clones run the same kernels on the same inputs on CPU, so the gradients are bitwise equal.
        foreach (var s in specs) Assert.Equal(plain[s.Name + "_grad"], recomputed[s.Name + "_grad"]);
    }

    private sealed record Batch(long[] Ids, long[] Labels);

    // Shifted labels: labels[t] = ids[t + 1]; the last position and a few others are −100.
    private static Batch Data(Random rng)
    {
        var ids = Enumerable.Range(0, B * T).Select(_ => (long)rng.Next(Config.VocabSize)).ToArray();
        var labels = new long[B * T];
        for (var r = 0; r < B; r++)
            for (var t = 0; t < T; t++)
                labels[r * T + t] = t == T - 1 || (r == 1 && t == 1) ? -100 : ids[r * T + t + 1];
        return new Batch(ids, labels);
    }

    private static List<NamedOnnxValue> Feeds(IReadOnlyList<WeightSpec> specs, Dictionary<string, double[]> w, Batch d)
    {
        int[] bt = [B, T];
        var feeds = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(d.Ids, bt)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, B * T).ToArray(), bt)),
            NamedOnnxValue.CreateFromTensor("position_ids", new DenseTensor<long>(Enumerable.Range(0, B * T).Select(i => (long)(i % T)).ToArray(), bt)),
            NamedOnnxValue.CreateFromTensor("labels", new DenseTensor<long>(d.Labels, bt)),
        };
        foreach (var s in specs)
            feeds.Add(NamedOnnxValue.CreateFromTensor(s.Name, new DenseTensor<double>(w[s.Name].ToArray(), s.Shape.Select(x => (int)x).ToArray())));
        return feeds;
    }

    private static double Loss(InferenceSession f, IReadOnlyList<WeightSpec> specs, Dictionary<string, double[]> w, Batch d)
    {
        using var r = f.Run(Feeds(specs, w, d), ["loss"]);
        return r[0].AsTensor<double>().GetValue(0);
    }
}
