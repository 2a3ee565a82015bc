// A training step built with --kernels native (ai.med42 RmsNorm/Rotary
// forward, RmsNormGrad/RotaryGrad backward, run by libmed42_ort_ops) gives the loss and every parameter
// gradient of the --kernels onnx graph (plain-op composites) to 1e-5, full fine-tuning and LoRA, on CPU.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter NativeTrainingStep
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Kernels;

public class NativeTrainingStepTests
{
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Dropout = 0, Targets = ["q_proj", "k_proj", "v_proj", "down_proj"] };

    [Fact]
    public void NativeGraphUsesTheCustomOpsAndNoComposites()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 21);
        var a = TrainingArtifacts.Build(c, w, TrainingMode.Full, options: new ArtifactOptions { Kernels = LlamaKernels.Native });
        int Count(string op) => a.TrainGraph.Nodes.Count(n => n.Domain == Graph.GraphBuilder.Med42Domain && n.OpType == op);
        // 2 RMSNorms per layer + the final one; rotary on q and k per layer; one gradient node per forward node.
        Assert.Equal(2 * c.NumHiddenLayers + 1, Count("RmsNorm"));
        Assert.Equal(2 * c.NumHiddenLayers + 1, Count("RmsNormGrad"));
        Assert.Equal(2 * c.NumHiddenLayers, Count("Rotary"));
        Assert.Equal(2 * c.NumHiddenLayers, Count("RotaryGrad"));
        Assert.DoesNotContain(a.TrainGraph.Nodes, n => n.OpType is "ReduceMean" or "Split");
        Assert.Equal(2 * c.NumHiddenLayers + 1, a.EvalGraph.Nodes.Count(n => n.Domain == Graph.GraphBuilder.Med42Domain && n.OpType == "RmsNorm"));
        // The default stays the plain-op graph.
        var plain = TrainingArtifacts.Build(c, w, TrainingMode.Full);
        Assert.DoesNotContain(plain.TrainGraph.Nodes, n => n.Domain == Graph.GraphBuilder.Med42Domain);
    }

    [Fact]
    public void NativeKernelsRefuseNonFloat32Graphs()
    {
        // Refused when the builder is made, before any node exists.
        var e = Assert.Throws<Med42Exception>(() => new TrainingGraphBuilder(TinyModels.Config(), Precision.F64, kernels: LlamaKernels.Native.Strategy()));
        Assert.Contains("float32", e.Message);
        Assert.Contains("F64", e.Message);
    }

    [SkippableTheory]
    [InlineData(TrainingMode.Full)]
    [InlineData(TrainingMode.Lora)]
    public void NativeStepMatchesOnnxStep(TrainingMode mode)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 23, std: 0.1f);
        using var d = new TempDir();
        var lora = mode == TrainingMode.Lora ? Lora : null;
        var onnx = TrainingArtifacts.Build(c, w, mode, lora);
        var native = TrainingArtifacts.Build(c, w, mode, lora, new ArtifactOptions { Kernels = LlamaKernels.Native });
        onnx.SaveModels(Path.Combine(d.Path, "onnx"));
        native.SaveModels(Path.Combine(d.Path, "native"));
        var state = TrainingState.Fresh(onnx.Parameters, onnx.InitialParameters);
        // LoRA B starts at zero (PEFT), which would zero every A gradient: give B values so both are exercised.
        var rng = new SplitMix64(24);
        foreach (var p in state.Parameters.Where(p => p.Name.Contains("lora_B", StringComparison.Ordinal)))
            for (var j = 0; j < p.Values.Length; j++) p.Values[j] = (float)(rng.NextDouble() - 0.5);
        const int batch = 2, seq = 16;
        var rows = Packer.Pack(RandomDocuments.Make(6, 25), seq, packing: true);
        var input = DataLoader.Assemble(rows.Take(batch).ToList(), batch, seq);
        using var s0 = new TrainingSession(Path.Combine(d.Path, "onnx", TrainingArtifacts.TrainingModelFile), new SessionSettings { Threads = 1 },
            state, batch, seq, onnx.DropoutMasks, true);
        using var s1 = new TrainingSession(Path.Combine(d.Path, "native", TrainingArtifacts.TrainingModelFile),
            new SessionSettings { Threads = 1, CustomOpLibraries = [lib] }, state, batch, seq, native.DropoutMasks, true);
        var (l0, n0) = s0.Run(input);
        var (l1, n1) = s1.Run(input);
        Assert.Equal(n0, n1);
        Assert.True(n0 > 10);
        // 1e-5 relative: fused vs composite RMSNorm/rotary differ by float32 rounding (~1e-7 relative per op),
        // which two layers and the backward pass do not amplify past ~1e-6; a wrong term would be O(1).
        Assert.True(Math.Abs(l0 - l1) <= 1e-5 * Math.Abs(l0), $"loss: onnx {l0:R} vs native {l1:R}");
        for (var p = 0; p < state.Parameters.Count; p++)
        {
            var (g0, g1) = (s0.Gradients[p], s1.Gradients[p]);
            var scale = Math.Max(1e-3, g0.Max(Math.Abs));   // relative to the tensor's largest gradient
            Assert.True(g0.Any(x => x != 0), $"{state.Parameters[p].Name}: zero gradient, not exercised");
            for (var j = 0; j < g0.Length; j++)
                Assert.True(Math.Abs(g0[j] - g1[j]) <= 1e-5 * scale,
                    $"{state.Parameters[p].Name}_grad[{j}]: onnx {g0[j]:R} vs native {g1[j]:R} (scale {scale:R})");
        }
    }
}
