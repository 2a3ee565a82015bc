// Pins the ONNX bytes of the training and eval graphs of every training mode and kernel choice (tiny configs of
// PinnedGraphs): exports are promised byte-identical, so a refactor of the graph builders or the autodiff that
// is meant to preserve behaviour leaves these hashes alone. Computed from commit c78b408, before the per-purpose
// builders replaced LlamaGraph.Build; a deliberate graph change updates them and says why in its commit.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared.Llama;
using Med42.Ort.Training.Artifacts;

namespace Med42.Ort.Training.Tests.Artifacts;

public class TrainingGraphBytesTests
{
    private static readonly LoraConfig Lora = PinnedGraphs.Lora with { Dropout = 0.1 };

    private static readonly Dictionary<string, Func<TrainingArtifacts>> Artifacts = new()
    {
        ["full"] = () => Build(PinnedGraphs.Small, TrainingMode.Full, new()),
        ["full tied"] = () => Build(PinnedGraphs.Tied, TrainingMode.Full, new()),
        ["lora"] = () => Build(PinnedGraphs.Small, TrainingMode.Lora, new()),
        ["lora tied"] = () => Build(PinnedGraphs.Tied, TrainingMode.Lora, new()),
        ["qlora"] = () => Build(PinnedGraphs.Small, TrainingMode.Qlora, new() { Int4BlockSize = 16 }),
        ["full native"] = () => Build(PinnedGraphs.Small, TrainingMode.Full, new() { Kernels = LlamaKernels.Native }),
        ["lora native tied"] = () => Build(PinnedGraphs.Tied, TrainingMode.Lora, new() { Kernels = LlamaKernels.Native }),
        ["full checkpointing"] = () => Build(PinnedGraphs.Small, TrainingMode.Full, new() { GradientCheckpointing = true }),
        ["lora checkpointing native"] = () => Build(PinnedGraphs.Small, TrainingMode.Lora, new() { GradientCheckpointing = true, Kernels = LlamaKernels.Native }),
    };

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["full"] = "658458566D0DF7A3 C0B3140A3CDBE808",
        ["full tied"] = "A718477A77A48C79 28477887ABCA4771",
        ["lora"] = "E5509E18539DF271 85CB5DFE4EF2BDE4",
        ["lora tied"] = "3D634728C3FDD625 8538DBB20C06CB1A",
        ["qlora"] = "269BF4BD69B5C38F C4E6502697C98A91",
        ["full native"] = "CC50B2E08BAAA02E 899CC9A082E62AE9",
        ["lora native tied"] = "FABD047C2964306D 1D63122AA821C85F",
        ["full checkpointing"] = "87D4C0F95B51DB09 C0B3140A3CDBE808",
        ["lora checkpointing native"] = "EE8063329114BBF8 A7975AB28B0F0EB8",
    };

    public static TheoryData<string> Cases() => [.. Artifacts.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainAndEvalGraphBytesAreUnchanged(string name)
    {
        var a = Artifacts[name]();
        var actual = $"{PinnedGraphs.Hash(a.TrainGraph)} {PinnedGraphs.Hash(a.EvalGraph)}";
        Assert.True(Expected.TryGetValue(name, out var expected) && expected == actual, $"{name}: {actual}");
    }

    private static TrainingArtifacts Build(LlamaConfig c, TrainingMode mode, ArtifactOptions options) =>
        TrainingArtifacts.Build(c, PinnedGraphs.Weights(c), mode, mode == TrainingMode.Full ? null : Lora, options);
}
