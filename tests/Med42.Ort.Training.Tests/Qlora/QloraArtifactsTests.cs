// TrainingMode.Qlora artifacts on a tiny random Llama: only LoRA A/B are trained (no gradient outputs,
// inputs or optimizer state for base weights), every frozen projection is an int4 MatMulNBits (no float copy
// of it left in the graph) differentiated through ai.med42 DequantInt4, and embeddings / LM head stay float.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter QloraArtifactsTests
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Qlora;

public class QloraArtifactsTests
{
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj", "down_proj"] };

    [Fact]
    public void QloraGraphTrainsAdaptersOnlyOverInt4FrozenLinears()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 1);
        using var d = new TempDir();
        var a = TrainingArtifacts.Export(c, w, TrainingMode.Qlora, Lora, new ArtifactOptions { Int4BlockSize = 16 }, d.Path);
        var loraNames = LoraWeights.For(c, Lora).Select(s => s.Name).ToList();
        Assert.Equal(loraNames, a.Parameters.Select(p => p.Name));
        var inputs = a.TrainGraph.Inputs.Select(i => i.Name).ToHashSet();
        var outputs = a.TrainGraph.Outputs.Select(o => o.Name).ToList();
        Assert.Equal(["loss", "target_count", .. loraNames.Select(n => n + "_grad")], outputs);
        foreach (var spec in WeightLayout.For(c))
        {
            Assert.DoesNotContain(spec.Name, inputs);
            Assert.DoesNotContain(spec.Name + "_grad", outputs);
        }

        // Every projection of every layer (7 per layer, targets or not) is one MatMulNBits with block 16 over a
        // uint8 initializer; no float copy of a projection weight remains.
        var projections = Enumerable.Range(0, c.NumHiddenLayers).SelectMany(l => WeightLayout.AllProjections.Select(p => WeightLayout.Projection(l, p))).ToList();
        foreach (var g in new[] { a.TrainGraph, a.EvalGraph })
        {
            var nbits = g.Nodes.Where(n => n.OpType == "MatMulNBits").ToList();
            Assert.Equal(projections.Count, nbits.Count);
            Assert.All(nbits, n => Assert.Equal(16L, n.Int("block_size", 0)));
            foreach (var p in projections)
            {
                var stem = p[..^".weight".Length];
                Assert.Equal(DType.U8, g.FindInitializer(stem + ".qweight")!.Data.Type);
                Assert.DoesNotContain(g.Initializers, i => i.Value.Type.IsFloat() && i.Value.Name.StartsWith(p, StringComparison.Ordinal));
            }
            // Embeddings and the (untied) LM head stay float32.
            Assert.Contains(g.Initializers, i => i.Value.Name.StartsWith(WeightLayout.Embedding, StringComparison.Ordinal) && i.Value.Type == DType.F32);
            Assert.Contains(g.Initializers, i => i.Value.Name.StartsWith(WeightLayout.LmHead, StringComparison.Ordinal) && i.Value.Type == DType.F32);
        }
        // The backward of the frozen linears dequantises on the fly; the eval graph has no backward.
        Assert.Contains(a.TrainGraph.Nodes, n => n.Domain == Graph.GraphBuilder.Med42Domain && n.OpType == "DequantInt4");
        Assert.DoesNotContain(a.EvalGraph.Nodes, n => n.OpType == "DequantInt4");

        using var opt = SafetensorsFile.Open(Path.Combine(d.Path, "checkpoint", CheckpointIo.OptimizerFile));
        Assert.Equal(loraNames.SelectMany(n => new[] { "exp_avg." + n, "exp_avg_sq." + n }).Order(StringComparer.Ordinal),
            opt.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BadInt4BlockSizeNamesTheField()
    {
        var o = new TrainOptions { Model = "m", Data = ["d.jsonl"], Out = "o", Mode = TrainingMode.Qlora, Int4BlockSize = 48 };
        var e = Assert.Throws<Med42Exception>(() => o.Validate("recipe.yaml"));
        Assert.Contains("'int4_block_size'", e.Message);
        Assert.Contains("48", e.Message);
    }

    [Fact]
    public void QloraModeWithoutLoraConfigIsRefused()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 1);
        Assert.Throws<Med42Exception>(() => TrainingArtifacts.Build(c, w, TrainingMode.Qlora, lora: null));
    }
}
