// Pins the ONNX bytes of the GenAI folder's decoder for the export options that change its graph (attention
// kind, dtype, int4 body and head, LoRA inputs) on the tiny configs of PinnedGraphs: exports are promised
// byte-identical, so a refactor of the builders leaves these hashes alone. Computed from commit c78b408, before
// the per-purpose builders replaced LlamaGraph.Build; a deliberate graph change updates them with its reason.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Tests.Shared.Llama;

namespace Med42.Ort.Export.Tests.GenAi;

public class GenAiGraphBytesTests
{
    private static readonly Dictionary<string, (LlamaConfig Config, GenAiExportOptions Options)> Exports = new()
    {
        ["plain f32"] = (PinnedGraphs.Small, new()),
        ["plain f16 lora inputs"] = (PinnedGraphs.Small, new() { DType = DType.F16, LoraInputTargets = ["q_proj", "v_proj"] }),
        ["gqa f16 int4 head"] = (PinnedGraphs.Small, new()
        {
            DType = DType.F16, Attention = AttentionKind.Gqa, Int4 = new Int4Options { BlockSize = 16, QuantizeHead = true },
        }),
        ["gqa tied int4"] = (PinnedGraphs.Tied, new() { Attention = AttentionKind.Gqa, Int4 = new Int4Options { BlockSize = 16 } }),
    };

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["plain f32"] = "3C507ECFECD129E0",
        ["plain f16 lora inputs"] = "AD6FCD0F69A4DC1B",
        ["gqa f16 int4 head"] = "46870718D6FA2E06",
        ["gqa tied int4"] = "EE5F3AAC02CD3385",
    };

    public static TheoryData<string> Cases() => [.. Exports.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecoderBytesAreUnchanged(string name)
    {
        var (config, options) = Exports[name];
        var actual = PinnedGraphs.Hash(GenAiFolder.BuildGraph(config, PinnedGraphs.Weights(config), options));
        Assert.True(Expected.TryGetValue(name, out var expected) && expected == actual, $"{name}: {actual}");
    }
}
