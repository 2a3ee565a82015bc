// QLoRA end to end on stories260K (../shared/data): at step 0 (B = 0) the QLoRA eval graph's logits equal the
// int4 full-sequence graph's (ScoringGraphBuilder.FullSequence + Int4Linear, the export path's linear) on the same base, and Trainer.Run in
// qlora mode lowers the loss measurably and writes a PEFT adapter.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter QloraStoriesTests
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Tests.Kernels;
using Med42.Ort.Training.Trainer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Tests.Qlora;

public class QloraStoriesTests
{
    private static readonly LoraConfig AllProjections = new()
    {
        Rank = 8, Alpha = 16, Dropout = 0.0, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    };

    [SkippableFact]
    public void StepZeroLogitsEqualTheInt4InferenceDecoder()
    {
        var lib = NativeRequired.OrtOpsLibrary();
        using var ck = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var c = ck.Config;
        var a = TrainingArtifacts.Build(c, ck.Weights, TrainingMode.Qlora, AllProjections);
        var eval = a.EvalGraph;
        eval.Outputs.Add(eval.Nodes.SelectMany(n => n.Outputs).Single(v => v.Name == "logits"));   // internal in artifacts

        const int t = 12;
        var ids = Enumerable.Range(0, t).Select(i => (long)(1 + i * 37 % (c.VocabSize - 1))).ToArray();
        var pos = Enumerable.Range(0, t).Select(i => (long)i).ToArray();
        NamedOnnxValue Longs(string name, long[] v) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(v, [1, t]));

        var feeds = new List<NamedOnnxValue>
        {
            Longs("input_ids", ids), Longs("position_ids", pos), Longs("segment_ids", Enumerable.Repeat(1L, t).ToArray()),
            Longs("labels", Enumerable.Repeat(-100L, t).ToArray()),
        };
        foreach (var p in a.Parameters)
            feeds.Add(NamedOnnxValue.CreateFromTensor(p.Name, new DenseTensor<float>(a.InitialParameters.ReadFloat32(p.Name), p.Shape.Select(d => (int)d).ToArray())));
        using var qs = new SessionSettings { CustomOpLibraries = [lib] }.CreateSession(OnnxExport.ToBytes(eval));
        using var qres = qs.Run(feeds, ["logits"]);
        var qlora = qres[0].AsTensor<float>().ToArray();

        var decoder = new ScoringGraphBuilder(c, linear: new Int4Linear(ck.Weights, new Int4Options { BlockSize = 32 })).FullSequence(ck.Weights);
        using var ds = new SessionSettings().CreateSession(OnnxExport.ToBytes(decoder));
        using var dres = ds.Run([Longs("input_ids", ids), Longs("position_ids", pos), Longs("attention_mask", Enumerable.Repeat(1L, t).ToArray())], ["logits"]);
        var reference = dres[0].AsTensor<float>().ToArray();

        Assert.Equal(reference.Length, qlora.Length);
        // 1e-5 absolute: same int4 weights and ops; the graphs differ only by the (zero) LoRA branch and the
        // packed-segment vs attention-mask construction, which reorder no float32 sums.
        for (var i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(reference[i] - qlora[i]) <= 1e-5, $"logit {i}: decoder {reference[i]:R}, qlora {qlora[i]:R}");

        // Not vacuous: the float32 decoder's logits are measurably different (the base really is int4).
        var plain = new ScoringGraphBuilder(c).FullSequence(ck.Weights);
        using var ps = new SessionSettings().CreateSession(OnnxExport.ToBytes(plain));
        using var pres = ps.Run([Longs("input_ids", ids), Longs("position_ids", pos), Longs("attention_mask", Enumerable.Repeat(1L, t).ToArray())], ["logits"]);
        var fp32 = pres[0].AsTensor<float>().ToArray();
        Assert.True(fp32.Zip(qlora).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "int4 and fp32 logits agree: the base was not quantised");
    }

    [SkippableFact]
    public void QloraLowersTheLossAndWritesAPeftAdapter()
    {
        NativeRequired.OrtOpsLibrary();
        using var d = new TempDir();
        var data = StorySamples.WriteJsonl(d);
        var o = new TrainOptions
        {
            Model = SharedData.Path("models/stories260K/stories260K.bin"),
            Tokenizer = SharedData.Path("models/stories260K/tok512.model"),
            Data = [data], Out = d.File("run"), Mode = TrainingMode.Qlora, Lora = AllProjections,
            MaxSteps = 25, Lr = 1e-2, BatchSize = 8, SeqLen = 64, SystemPrompt = "Tell a story.", Packing = false,
            Schedule = ScheduleKind.Constant, MaxGradNorm = 1.0, Threads = 2, Seed = 1,
        };
        var r = Med42.Ort.Training.Trainer.Trainer.Run(o);
        // "Measurably", as the LoRA test: at least 20% below the first step's loss (the untrained adapter's).
        Assert.True(r.FinalLoss < 0.8 * r.LossHistory[0], $"loss {r.LossHistory[0]} → {r.FinalLoss}");
        var cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(r.OutputFolder, PeftAdapter.ConfigFile))).RootElement;
        Assert.Equal(8, cfg.GetProperty("r").GetInt32());
        Assert.Equal("LORA", cfg.GetProperty("peft_type").GetString());
        using var st = SafetensorsFile.Open(Path.Combine(r.OutputFolder, PeftAdapter.WeightsFile));
        Assert.True(st.Contains("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"));
        Assert.Equal(5 * 7 * 2, st.Tensors.Count);   // A and B per projection per layer, nothing else
    }
}
