// Training artifacts on a tiny random Llama: LoRA graphs expose no frozen-weight gradients or state,
// batch 8 equals 4 × 2 accumulation, a packed row's loss equals the token-weighted loss of its
// documents run alone, and loss = −Σ log p(target).
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Artifacts;

public class TrainingArtifactsTests
{
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj", "down_proj"] };

    [Fact]
    public void LoraGraphHasNoFrozenGradientsOrOptimizerState()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 1);
        using var d = new TempDir();
        var a = TrainingArtifacts.Export(c, w, TrainingMode.Lora, Lora, null, d.Path);
        var loraNames = LoraWeights.For(c, Lora).Select(s => s.Name).ToList();
        Assert.Equal(2 * 3 * 2, loraNames.Count);
        var inputs = a.TrainGraph.Inputs.Select(i => i.Name).ToHashSet();
        var outputs = a.TrainGraph.Outputs.Select(o => o.Name).ToList();
        Assert.Equal(["loss", "target_count", .. loraNames.Select(n => n + "_grad")], outputs);
        foreach (var spec in WeightLayout.For(c))
        {
            Assert.DoesNotContain(spec.Name, inputs);
            Assert.DoesNotContain(spec.Name + "_grad", outputs);
        }
        // Frozen weights are initializers (pre-transposed linears, as the inference export stores them).
        Assert.NotNull(a.TrainGraph.FindInitializer(WeightLayout.Projection(0, "q_proj") + ".T"));
        using var opt = SafetensorsFile.Open(Path.Combine(d.Path, "checkpoint", CheckpointIo.OptimizerFile));
        Assert.Equal(loraNames.SelectMany(n => new[] { "exp_avg." + n, "exp_avg_sq." + n }).Order(StringComparer.Ordinal),
            opt.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(d.Path, TrainingArtifacts.TrainingModelFile)));
        Assert.True(File.Exists(Path.Combine(d.Path, TrainingArtifacts.EvalModelFile)));
    }

    private static List<TokenizedDocument> Docs(int n, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var len = 3 + (int)(rng.NextUInt64() % 9);
            var ids = Enumerable.Range(0, len).Select(_ => 3 + (int)(rng.NextUInt64() % 200)).ToArray();
            ids[0] = 1;
            var trainable = ids.Select((_, j) => j >= len / 2).ToArray();
            return new TokenizedDocument(ids, trainable, $"doc{i}");
        }).ToList();
    }

    [Fact]
    public void BatchOfEightEqualsFourTimesTwoAccumulation()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 2, std: 0.1f);
        using var d = new TempDir();
        var a = TrainingArtifacts.Build(c, w, TrainingMode.Full);
        a.SaveModels(d.Path);
        var state = TrainingState.Fresh(a.Parameters, a.InitialParameters);
        var rows = Packer.Pack(Docs(8, 3), 12, packing: false);
        var model = Path.Combine(d.Path, TrainingArtifacts.TrainingModelFile);
        // Two intra-op threads on purpose: the embedding gradient (GatherGrad, a one-hot MatMul) must be exact
        // under parallelism — ScatterND(reduction=add) raced on repeated ids here.
        var settings = new SessionSettings { Threads = 2 };
        using var s8 = new TrainingSession(model, settings, state, 8, 12, [], true);
        using var s4 = new TrainingSession(model, settings, state, 4, 12, [], true);
        var (l8, n8) = s8.Run(DataLoader.Assemble(rows, 8, 12));
        var g8 = s8.Gradients.Select(g => g.Select(x => x / (double)n8).ToArray()).ToList();
        var (la, na) = s4.Run(DataLoader.Assemble(rows.Take(4).ToList(), 4, 12));
        var ga = s4.Gradients.Select(g => g.Select(x => (double)x).ToArray()).ToList();
        var (lb, nb) = s4.Run(DataLoader.Assemble(rows.Skip(4).ToList(), 4, 12));
        Assert.Equal(n8, na + nb);
        Assert.NotEqual(na, nb); // unequal counts: a mean of means would differ
        // fp32 sums in a different grouping: agreement to ~1e-7 relative; 1e-6 of the largest gradient.
        Assert.True(Math.Abs(l8 - (la + lb)) <= 1e-6 * Math.Abs(l8), $"loss {l8} vs {la + lb}");
        for (var p = 0; p < g8.Count; p++)
        {
            var scale = g8[p].Max(Math.Abs) + 1e-12;
            for (var j = 0; j < g8[p].Length; j++)
            {
                var acc = (ga[p][j] + s4.Gradients[p][j]) / (na + nb);
                Assert.True(Math.Abs(acc - g8[p][j]) <= 1e-6 * scale, $"{state.Parameters[p].Name}[{j}]: {g8[p][j]} vs {acc}");
            }
        }
    }

    [Fact]
    public void PackedRowLossIsTokenWeightedLossOfItsDocumentsAlone()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 4, std: 0.1f);
        using var d = new TempDir();
        var a = TrainingArtifacts.Build(c, w, TrainingMode.Full);
        a.SaveModels(d.Path);
        var state = TrainingState.Fresh(a.Parameters, a.InitialParameters);
        using var eval = new TrainingSession(Path.Combine(d.Path, TrainingArtifacts.EvalModelFile), new SessionSettings(), state, 1, 32, [], false);
        var docs = Docs(3, 5);
        var packed = Packer.Pack(docs, 32, packing: true);
        Assert.Single(packed);
        var (lp, np) = eval.Run(DataLoader.Assemble(packed, 1, 32));
        var packedLogProbs = eval.TokenLogProbs!.ToArray();
        // The loss output is −Σ log p(target) (checked against the per-token output; fp32 summation).
        Assert.True(Math.Abs(lp + packedLogProbs.Sum(x => (double)x)) <= 1e-5 * Math.Abs(lp));
        double sum = 0;
        long n = 0;
        var offset = 0;
        foreach (var doc in docs)
        {
            var (l, k) = eval.Run(DataLoader.Assemble(Packer.Pack([doc], 32, false), 1, 32));
            sum += l;
            n += k;
            // Same positions and the block-diagonal mask: per-token log-probs agree to fp32 rounding (1e-5).
            for (var t = 0; t < doc.Length; t++)
                Assert.True(Math.Abs(eval.TokenLogProbs![t] - packedLogProbs[offset + t]) <= 1e-5 * Math.Max(1, Math.Abs(packedLogProbs[offset + t])), $"{doc.Position} t={t}");
            offset += doc.Length;
        }
        Assert.Equal(n, np);
        Assert.True(Math.Abs(sum - lp) <= 1e-5 * Math.Abs(lp), $"packed {lp} vs alone {sum}");
    }
}
