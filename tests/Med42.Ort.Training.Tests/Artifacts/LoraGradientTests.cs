// The LoRA training graph (frozen base, tied LM head read in place by FusedMatMul(transB)) against the full-mode
// graph of the same model: with B = 0 the adapted model is the base model, so the losses agree and
// ∂L/∂B = s·(∂L/∂W)·Aᵀ (y = x·Wᵀ + s·x·Aᵀ·Bᵀ, s = α/r), where ∂L/∂W comes from the full-mode graph, an
// independent differentiation through the plain head. Also: the tied embedding table is stored once.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter LoraGradientTests
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

public class LoraGradientTests
{
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] };

    [Fact]
    public void TiedLoraHeadStoresTheEmbeddingTableOnce()
    {
        var c = TinyModels.Config(tied: true);
        using var w = TinyLlama.Create(c, 21);
        var a = TrainingArtifacts.Build(c, w, TrainingMode.Lora, Lora);
        foreach (var g in new[] { a.TrainGraph, a.EvalGraph })
        {
            Assert.NotNull(g.FindInitializer(WeightLayout.Embedding));
            Assert.Null(g.FindInitializer(WeightLayout.Embedding + ".T"));
            Assert.Contains(g.Nodes, n => n.OpType == "FusedMatMul" && n.Name.Contains("lm_head/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void LoraBGradientEqualsFullWeightGradientTimesATransposed()
    {
        var c = TinyModels.Config(tied: true);
        using var w = TinyLlama.Create(c, 22, std: 0.1f);
        using var d = new TempDir();
        var full = TrainingArtifacts.Build(c, w, TrainingMode.Full);
        var lora = TrainingArtifacts.Build(c, w, TrainingMode.Lora, Lora);
        full.SaveModels(Path.Combine(d.Path, "full"));
        lora.SaveModels(Path.Combine(d.Path, "lora"));
        var fullState = TrainingState.Fresh(full.Parameters, full.InitialParameters);
        var loraState = TrainingState.Fresh(lora.Parameters, lora.InitialParameters); // PEFT init: B = 0, A random
        Assert.All(loraState.Parameters.Where(p => p.Name.Contains("lora_B", StringComparison.Ordinal)), p => Assert.All(p.Values, v => Assert.Equal(0f, v)));

        const int batch = 2, seq = 12;
        var rng = new SplitMix64(23);
        var docs = Enumerable.Range(0, 4).Select(i =>
        {
            var ids = Enumerable.Range(0, 5 + i).Select(_ => 3 + (int)(rng.NextUInt64() % 200)).ToArray();
            return new TokenizedDocument(ids, ids.Select((_, j) => j > 0).ToArray(), $"doc{i}");
        }).ToList();
        var input = DataLoader.Assemble(Packer.Pack(docs, seq, packing: true).Take(batch).ToList(), batch, seq);
        var settings = new SessionSettings { Threads = 1 };
        using var fs = new TrainingSession(Path.Combine(d.Path, "full", TrainingArtifacts.TrainingModelFile), settings, fullState, batch, seq, [], true);
        using var ls = new TrainingSession(Path.Combine(d.Path, "lora", TrainingArtifacts.TrainingModelFile), settings, loraState, batch, seq, [], true);
        var (fullLoss, fullCount) = fs.Run(input);
        var (loraLoss, loraCount) = ls.Run(input);
        Assert.Equal(fullCount, loraCount);
        // Same model, different float32 head kernels (MatMul vs FusedMatMul): a few ulps of a summed O(5) loss.
        Assert.Equal(fullLoss, loraLoss, Math.Abs(fullLoss) * 1e-5);

        var s = Lora.Alpha / Lora.Rank;
        var checkedTensors = 0;
        for (var layer = 0; layer < c.NumHiddenLayers; layer++)
            foreach (var proj in Lora.Targets)
            {
                var gw = Gradient(fs, fullState, WeightLayout.Projection(layer, proj));            // [out, in]
                var a = loraState.Parameters.Single(p => p.Name == LoraWeights.Name(layer, proj, 'A')).Values; // [r, in]
                var gb = Gradient(ls, loraState, LoraWeights.Name(layer, proj, 'B'));            // [out, r]
                var (outF, inF) = WeightLayout.ProjectionShape(c, proj) is var sh ? (sh.Out, sh.In) : default;
                var expected = new double[outF * Lora.Rank];
                for (var o = 0; o < outF; o++)
                    for (var r = 0; r < Lora.Rank; r++)
                    {
                        double sum = 0;
                        for (var i = 0; i < inF; i++) sum += (double)gw[o * inF + i] * a[r * inF + i];
                        expected[o * Lora.Rank + r] = s * sum;
                    }
                var scale = expected.Max(Math.Abs);
                Assert.True(scale > 1e-6, $"{proj} layer {layer}: gradient is zero, nothing checked");
                // float32 backward passes through different kernels: agree to ~1e-4 of the tensor's largest entry.
                for (var j = 0; j < expected.Length; j++)
                    Assert.True(Math.Abs(gb[j] - expected[j]) <= 1e-4 * scale,
                        $"{proj} layer {layer} lora_B grad[{j}]: {gb[j]:R}, expected {expected[j]:R} (scale {scale:R})");
                checkedTensors++;
            }
        Assert.Equal(c.NumHiddenLayers * Lora.Targets.Count, checkedTensors);
    }

    private static float[] Gradient(TrainingSession session, TrainingState state, string name)
    {
        for (var i = 0; i < state.Parameters.Count; i++)
            if (state.Parameters[i].Name == name) return session.Gradients[i];
        throw new InvalidOperationException($"no parameter '{name}'");
    }
}
