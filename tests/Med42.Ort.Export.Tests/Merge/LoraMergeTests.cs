// A LoRA adapter on stories260K merged into an HF folder gives the same
// logits (float64 forward) as base + adapter applied on the fly by LoraLinear, and the merged weights equal a naive
// W + (α/r)·B·A computed here in float64.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Export.Merge;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Llama.Blocks;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Export.Tests.Merge;

public class LoraMergeTests
{
    private static readonly int[] Tokens = [1, 403, 407, 261, 378, 11, 260, 300, 42];

    /// <summary>Two stores seen as one (base weights + adapter tensors) for the on-the-fly graph.</summary>
    private sealed class Union(ITensorStore a, ITensorStore b) : ITensorStore
    {
        public string Source => a.Source;
        public IReadOnlyList<TensorInfo> Tensors => [.. a.Tensors, .. b.Tensors];
        public bool Contains(string name) => a.Contains(name) || b.Contains(name);
        public TensorInfo Info(string name) => a.Contains(name) ? a.Info(name) : b.Info(name);
        public void ReadBytes(string name, Span<byte> dest) { if (a.Contains(name)) a.ReadBytes(name, dest); else b.ReadBytes(name, dest); }
        public void Dispose() { }
    }

    // Float64 forward pass (weights and activations in F64), so the comparison sees the merge math, not fp32 kernel noise.
    internal static double[] Logits(LlamaConfig c, ITensorStore weights, ILinearFactory? linear = null)
    {
        var graph = new DecodingGraphBuilder(c, Precision.F64, linear: linear).Build(weights);
        using var session = new SessionSettings().CreateSession(OnnxExport.ToBytes(graph));
        var n = Tokens.Length;
        var feeds = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(Tokens.Select(t => (long)t).ToArray(), [1, n]),
            ["position_ids"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), [1, n]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, n).ToArray(), [1, n]),
        };
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            feeds[LlamaGraph.PastKey(i)] = OrtValue.CreateTensorValueFromMemory(Array.Empty<double>(), [1, c.NumKeyValueHeads, 0, c.HeadDim]);
            feeds[LlamaGraph.PastValue(i)] = OrtValue.CreateTensorValueFromMemory(Array.Empty<double>(), [1, c.NumKeyValueHeads, 0, c.HeadDim]);
        }
        try
        {
            using var run = new RunOptions();
            using var outputs = session.Run(run, feeds.Keys.ToArray(), feeds.Values.ToArray(), ["logits"]);
            return outputs[0].GetTensorDataAsSpan<double>().ToArray();
        }
        finally
        {
            foreach (var v in feeds.Values) v.Dispose();
        }
    }

    [SkippableFact]
    public void MergedFolderEqualsBasePlusAdapterOnTheFly()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var c = ckpt.Config;
        var lora = new LoraConfig { Rank = 4, Alpha = 8, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] };
        using var adapterStore = Adapters.PeftAdapterTests.RandomAdapter(c, lora, 5);
        using var dir = new TempDir();
        PeftAdapter.Write(dir.File("adapter"), c, lora, adapterStore, "stories260K");
        using var adapter = PeftAdapter.Read(dir.File("adapter"), c);
        LoraMerge.Save(dir.File("merged"), c, ckpt.Weights, adapter, DType.F32);

        using var merged = LlamaCheckpoint.Open(dir.File("merged"));
        // Independent float64 check of one merged tensor.
        var name = WeightLayout.Projection(2, "down_proj");
        var (fin, fout) = WeightLayout.ProjectionShape(c, "down_proj");
        var w = ckpt.Weights.ReadFloat32(name);
        var a = adapterStore.ReadFloat32(LoraWeights.Name(2, "down_proj", 'A'));
        var b = adapterStore.ReadFloat32(LoraWeights.Name(2, "down_proj", 'B'));
        var got = merged.Weights.ReadFloat32(name);
        for (var o = 0; o < fout; o++)
            for (var i = 0; i < fin; i++)
            {
                double s = 0;
                for (var k = 0; k < lora.Rank; k++) s += (double)b[o * lora.Rank + k] * a[k * fin + i];
                var expected = (float)(w[o * fin + i] + lora.Scale * s);
                Assert.Equal(expected, got[o * fin + i]); // both round the same float64 sum once
            }

        var onTheFly = Logits(c, new Union(ckpt.Weights, adapter.Tensors), new LoraLinear(c, adapter.Config, useDropout: false));
        var mergedLogits = Logits(c, merged.Weights);
        Assert.Equal(onTheFly.Length, mergedLogits.Length);
        for (var i = 0; i < onTheFly.Length; i++)
            // 1e-5: the forward is float64, so what remains is W' stored as fp32 in the merged folder, one float32
            // rounding per weight (relative 6e-8) carried through 5 layers onto logits of magnitude ≲ 10.
            Assert.True(Math.Abs(onTheFly[i] - mergedLogits[i]) <= 1e-5, $"logit {i}: on the fly {onTheFly[i]} merged {mergedLogits[i]}");
    }
}
