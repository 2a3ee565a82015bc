// Pins the ONNX bytes of every decoder graph variant the project builds, for two tiny configs: exports are
// promised byte-identical across runs and refactors (same node names, constants, initializers), so a change
// to a builder that is meant to preserve behaviour must leave these hashes alone. The hashes were computed
// from the builder of commit c78b408 (one LlamaGraph.Build over LlamaGraphOptions), before the per-purpose
// builders replaced it; a deliberate graph change updates them and says why in its commit.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared.Llama;

namespace Med42.Ort.Llama.Tests.Graphs;

public class GraphBytesTests
{
    private static readonly LlamaConfig Small = PinnedGraphs.Small, Tied = PinnedGraphs.Tied;
    private static readonly LoraConfig Lora = PinnedGraphs.Lora;

    private static readonly Dictionary<string, Func<IrGraph>> Graphs = new()
    {
        ["decode f32"] = () => new DecodingGraphBuilder(Small).Build(W(Small)),
        ["decode f16"] = () => new DecodingGraphBuilder(Small, Precision.F16).Build(W(Small)),
        ["decode f16 storage f32 compute"] = () => new DecodingGraphBuilder(Small, new Precision(DType.F16, DType.F32)).Build(W(Small)),
        ["decode f64"] = () => new DecodingGraphBuilder(Small, Precision.F64).Build(W(Small)),
        ["decode native"] = () => new DecodingGraphBuilder(Small, kernels: Med42Kernels.Instance).Build(W(Small)),
        ["decode tied"] = () => new DecodingGraphBuilder(Tied).Build(W(Tied)),
        ["decode gqa f32"] = () => new DecodingGraphBuilder(Small, attention: GroupQueryAttention.Instance).Build(W(Small)),
        ["decode gqa f16"] = () => new DecodingGraphBuilder(Small, Precision.F16, GroupQueryAttention.Instance).Build(W(Small)),
        ["decode gqa fused rotary"] = () => new DecodingGraphBuilder(Tied, attention: GroupQueryAttention.Instance).Build(W(Tied)),
        ["decode int4"] = () => new DecodingGraphBuilder(Small, linear: Int4(Small)).Build(W(Small)),
        ["decode int4 head gqa"] = () => new DecodingGraphBuilder(Small, attention: GroupQueryAttention.Instance, linear: Int4(Small), headLinear: Int4(Small)).Build(W(Small)),
        ["decode lora"] = () => new DecodingGraphBuilder(Small, linear: new LoraLinear(Small, Lora, useDropout: false)).Build(W(Small)),
        ["score mha"] = () => new ScoringGraphBuilder(Small, attention: MultiHeadAttention.Instance).SharedContext(W(Small)),
        ["score plain"] = () => new ScoringGraphBuilder(Small, attention: PlainAttention.Instance).SharedContext(W(Small)),
        ["score mha tied lora"] = () => new ScoringGraphBuilder(Tied, attention: MultiHeadAttention.Instance, linear: new LoraLinear(Tied, Lora, useDropout: false)).SharedContext(W(Tied)),
        ["full f32"] = () => new ScoringGraphBuilder(Small).FullSequence(W(Small)),
        ["full f64"] = () => new ScoringGraphBuilder(Small, Precision.F64).FullSequence(W(Small)),
        ["full int4"] = () => new ScoringGraphBuilder(Small, linear: Int4(Small)).FullSequence(W(Small)),
        ["full lora tied"] = () => new ScoringGraphBuilder(Tied, linear: new LoraLinear(Tied, Lora, useDropout: false)).FullSequence(W(Tied)),
    };

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["decode f32"] = "3C507ECFECD129E0",
        ["decode f16"] = "63F9D6362F753FDD",
        ["decode f16 storage f32 compute"] = "4F4F8D81C0D89E81",
        ["decode f64"] = "CC124D9200EEFF7C",
        ["decode native"] = "A75FEC71FD25D83D",
        ["decode tied"] = "E6A9EE5C7096A73B",
        ["decode gqa f32"] = "E15581B9E9D85671",
        ["decode gqa f16"] = "03DB4331CC1543A8",
        ["decode gqa fused rotary"] = "4B459EC9F7083B13",
        ["decode int4"] = "1A812FFD1FD45915",
        ["decode int4 head gqa"] = "C84A5C48868855F3",
        ["decode lora"] = "90292569DC4CB8E2",
        ["score mha"] = "3F8D839EA1EA8B0F",
        ["score plain"] = "D4F3800D5E9533DE",
        ["score mha tied lora"] = "7006D38774E4BD16",
        ["full f32"] = "0195E7E841FC895D",
        ["full f64"] = "9674505A3FA45E42",
        ["full int4"] = "7D7C1FC3C171699C",
        ["full lora tied"] = "8C0D243C003E317C",
    };

    public static TheoryData<string> Cases() => [.. Graphs.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void GraphBytesAreUnchanged(string name)
    {
        var actual = PinnedGraphs.Hash(Graphs[name]());
        Assert.True(Expected.TryGetValue(name, out var expected) && expected == actual, $"{name}: {actual}");
    }

    private static readonly Dictionary<LlamaConfig, InMemoryTensorStore> Stores = [];

    private static InMemoryTensorStore W(LlamaConfig c)
    {
        lock (Stores)
            return Stores.TryGetValue(c, out var w) ? w : Stores[c] = PinnedGraphs.Weights(c);
    }

    private static Int4Linear Int4(LlamaConfig c) => new(W(c), new Int4Options { BlockSize = 16 });
}
