// LoRA: config validation names the field; PEFT initialisation bounds; the unmerged LoRA graph's logits
// equal those of a plain graph over merged weights W + (α/r)·B·A.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Training.Tests.Lora;

public class LoraLinearTests
{
    [Theory]
    [InlineData(0, 16, 0.0, "q_proj", "'rank'")]
    [InlineData(8, 0, 0.0, "q_proj", "'alpha'")]
    [InlineData(8, 16, 1.0, "q_proj", "'dropout'")]
    [InlineData(8, 16, 0.0, "qq_proj", "'targets'")]
    public void InvalidConfigNamesTheField(int rank, double alpha, double dropout, string target, string field)
    {
        var e = Assert.Throws<Med42Exception>(() => new LoraConfig { Rank = rank, Alpha = alpha, Dropout = dropout, Targets = [target] }.Validate());
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void InitialisationFollowsPeft()
    {
        var c = TinyModels.Config();
        var l = new LoraConfig { Rank = 4, Targets = ["q_proj", "down_proj"] };
        var store = LoraWeights.Initialize(c, l, 3);
        Assert.Equal("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", store.Tensors[0].Name);
        Assert.Equal(new long[] { 4, 16 }, store.Tensors[0].Shape);
        Assert.Equal(new long[] { 16, 4 }, store.Info("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").Shape);
        foreach (var t in store.Tensors)
        {
            var v = store.ReadFloat32(t.Name);
            if (t.Name.Contains("lora_B")) Assert.All(v, x => Assert.Equal(0f, x));
            else
            {
                var bound = 1 / Math.Sqrt(t.Shape[1]); // kaiming_uniform_(a=√5): sqrt(6/((1+5)·fan_in))
                Assert.All(v, x => Assert.InRange(x, -bound, bound));
                Assert.True(v.Max() > 0.5 * bound && v.Min() < -0.5 * bound, "values should spread over the range");
            }
        }
    }

    [Fact]
    public void UnmergedLogitsEqualMergedWeights()
    {
        var c = TinyModels.Config(vocab: 40, tied: true);
        var l = new LoraConfig { Rank = 3, Alpha = 6, Targets = WeightLayout.AllProjections };
        using var baseW = TinyLlama.Create(c, 5, std: 0.2f);
        // Non-zero B so the adapter changes the output.
        var adapter = new InMemoryTensorStore("adapter");
        var rng = new SplitMix64(9);
        foreach (var s in LoraWeights.For(c, l))
            adapter.AddFloat(s.Name, s.Shape, Enumerable.Range(0, (int)s.ElementCount).Select(_ => (float)(0.3 * rng.NextNormal())).ToArray());
        var both = new InMemoryTensorStore("both");
        foreach (var t in baseW.Tensors) both.Add(t, baseW.ReadBytes(t.Name));
        foreach (var t in adapter.Tensors) both.Add(t, adapter.ReadBytes(t.Name));
        using var merged = LoraWeights.Merge(c, baseW, l, adapter);

        var unmerged = Logits(c, both, new LoraLinear(c, l, useDropout: false));
        var plain = Logits(c, merged, PlainLinear.Instance);
        var basePlain = Logits(c, baseW, PlainLinear.Instance);
        // fp32 graphs; merge accumulated in float64 then rounded: differences are a few ulps of O(1) logits.
        const double tol = 1e-5;
        for (var i = 0; i < plain.Length; i++) Assert.True(Math.Abs(plain[i] - unmerged[i]) <= tol * Math.Max(1, Math.Abs(plain[i])), $"logit {i}: {plain[i]} vs {unmerged[i]}");
        Assert.True(plain.Zip(basePlain).Max(p => Math.Abs(p.First - p.Second)) > 1e-2, "the adapter must change the logits for the test to mean anything");
    }

    private static float[] Logits(LlamaConfig c, ITensorStore store, ILinearFactory linear)
    {
        var b = new Graph.GraphBuilder("m");
        new ScoringGraphBuilder(c, linear: linear).FullSequence(b, new CheckpointWeightBinder(store, DType.F32, DType.F32));
        using var session = new SessionSettings().CreateSession(OnnxExport.ToBytes(b.Graph));
        long[] ids = [1, 7, 3, 22, 39, 5];
        using var x = OrtValue.CreateTensorValueFromMemory(ids, [1, 6]);
        using var m = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, 6).ToArray(), [1, 6]);
        using var p = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, 6).Select(i => (long)i).ToArray(), [1, 6]);
        using var outs = session.Run(new RunOptions(), ["input_ids", "attention_mask", "position_ids"], [x, m, p], ["logits"]);
        return outs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
