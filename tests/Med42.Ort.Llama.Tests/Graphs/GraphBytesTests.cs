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
        ["decode f32"] = () => Decode(Small, DType.F32, new()),
        ["decode f16"] = () => Decode(Small, DType.F16, new() { ComputeType = DType.F16 }),
        ["decode f16 storage f32 compute"] = () => Decode(Small, DType.F16, new()),
        ["decode f64"] = () => Decode(Small, DType.F64, new() { ComputeType = DType.F64 }),
        ["decode native"] = () => Decode(Small, DType.F32, new() { Kernels = LlamaKernels.Native }),
        ["decode tied"] = () => Decode(Tied, DType.F32, new()),
        ["decode gqa f32"] = () => Decode(Small, DType.F32, new() { Attention = AttentionImpl.GroupQuery }),
        ["decode gqa f16"] = () => Decode(Small, DType.F16, new() { ComputeType = DType.F16, Attention = AttentionImpl.GroupQuery }),
        ["decode gqa fused rotary"] = () => Decode(Tied, DType.F32, new() { Attention = AttentionImpl.GroupQuery }),
        ["decode int4"] = () => Decode(Small, DType.F32, new() { Linear = Int4(Small) }),
        ["decode int4 head gqa"] = () => Decode(Small, DType.F32, new() { Linear = Int4(Small), HeadLinear = Int4(Small), Attention = AttentionImpl.GroupQuery }),
        ["decode lora"] = () => Decode(Small, DType.F32, new() { Linear = new LoraLinear(Small, Lora, useDropout: false) }),
        ["score mha"] = () => Decode(Small, DType.F32, Scoring(AttentionImpl.MultiHead)),
        ["score plain"] = () => Decode(Small, DType.F32, Scoring(AttentionImpl.Plain)),
        ["score mha tied lora"] = () => Decode(Tied, DType.F32, Scoring(AttentionImpl.MultiHead) with { Linear = new LoraLinear(Tied, Lora, useDropout: false) }),
        ["full f32"] = () => Decode(Small, DType.F32, new() { KvCache = false }),
        ["full f64"] = () => Decode(Small, DType.F64, new() { KvCache = false, ComputeType = DType.F64 }),
        ["full int4"] = () => Decode(Small, DType.F32, new() { KvCache = false, Linear = Int4(Small) }),
        ["full lora tied"] = () => Decode(Tied, DType.F32, new() { KvCache = false, Linear = new LoraLinear(Tied, Lora, useDropout: false) }),
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

    private static IrGraph Decode(LlamaConfig c, DType storage, LlamaGraphOptions o)
    {
        lock (Stores)
            if (!Stores.TryGetValue(c, out _)) Stores[c] = PinnedGraphs.Weights(c);
        return LlamaDecoder.Build(c, Stores[c], storage, o);
    }

    private static Int4Linear Int4(LlamaConfig c)
    {
        lock (Stores)
            if (!Stores.TryGetValue(c, out _)) Stores[c] = PinnedGraphs.Weights(c);
        return new Int4Linear(Stores[c], new Int4Options { BlockSize = 16 });
    }

    private static LlamaGraphOptions Scoring(AttentionImpl attention) => new()
    {
        KvCache = false, SharedPrefixSegments = true, Head = LlamaHead.TargetLogProbs, ScoredPositionsOnly = true, Attention = attention,
    };
}
