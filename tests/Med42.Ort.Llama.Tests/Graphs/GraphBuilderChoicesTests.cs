// The graph builders' choices: which attention each purpose accepts is a type fact (checked here by reflection,
// since a wrong choice does not compile), the rest is refused when a builder is made, by a Med42Exception that
// names both choices; and every attention that claims to be differentiable builds only ops with gradient rules.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Tests.Shared.Llama;

namespace Med42.Ort.Llama.Tests.Graphs;

public class GraphBuilderChoicesTests
{
    private static readonly LlamaConfig C = PinnedGraphs.Small;

    [Fact]
    public void EachPurposeAcceptsOnlyTheAttentionItCanBuild()
    {
        Assert.True(typeof(IKvCacheAttention).IsAssignableFrom(typeof(PlainAttention)));
        Assert.True(typeof(IKvCacheAttention).IsAssignableFrom(typeof(GroupQueryAttention)));
        Assert.False(typeof(IKvCacheAttention).IsAssignableFrom(typeof(MultiHeadAttention)));       // keeps no cache
        Assert.True(typeof(IFullSequenceAttention).IsAssignableFrom(typeof(MultiHeadAttention)));
        Assert.False(typeof(IFullSequenceAttention).IsAssignableFrom(typeof(GroupQueryAttention)));  // needs past inputs
        Assert.Equal([typeof(PlainAttention)], DifferentiableAttentions().Select(a => a.GetType()));
    }

    [Theory]
    [InlineData(AttentionKind.Plain, typeof(PlainAttention), typeof(PlainAttention))]
    [InlineData(AttentionKind.Gqa, typeof(GroupQueryAttention), null)]
    [InlineData(AttentionKind.Mha, null, typeof(MultiHeadAttention))]
    public void AttentionKindsMapToTheStrategyOfEachPurpose(AttentionKind kind, Type? decoding, Type? scoring)
    {
        if (decoding is null) Assert.Contains("KV cache", Assert.Throws<Med42Exception>(() => kind.ForDecoding()).Message);
        else Assert.IsType(decoding, kind.ForDecoding());
        if (scoring is null) Assert.Contains("without a KV cache", Assert.Throws<Med42Exception>(() => kind.ForScoring()).Message);
        else Assert.IsType(scoring, kind.ForScoring());
    }

    [Fact]
    public void FusedAttentionRefusesTheNativeKernelsNamingBoth()
    {
        var gqa = Assert.Throws<Med42Exception>(() => new DecodingGraphBuilder(C, attention: GroupQueryAttention.Instance, kernels: Med42Kernels.Instance));
        Assert.Contains("--attention gqa", gqa.Message);
        Assert.Contains("--kernels native", gqa.Message);
        var mha = Assert.Throws<Med42Exception>(() => new ScoringGraphBuilder(C, attention: MultiHeadAttention.Instance, kernels: Med42Kernels.Instance));
        Assert.Contains("--attention mha", mha.Message);
        Assert.Contains("--kernels native", mha.Message);
    }

    [Fact]
    public void FusedAttentionRefusesPrecisionsOrtHasNoKernelFor()
    {
        Assert.Contains("F64", Assert.Throws<Med42Exception>(() => new DecodingGraphBuilder(C, Precision.F64, GroupQueryAttention.Instance)).Message);
        Assert.Contains("F64", Assert.Throws<Med42Exception>(() => new ScoringGraphBuilder(C, Precision.F64, MultiHeadAttention.Instance)).Message);
        Assert.Contains("BF16", Assert.Throws<Med42Exception>(() => new ScoringGraphBuilder(C, Precision.Of(DType.BF16), MultiHeadAttention.Instance)).Message);
        // The same precisions through plain attention are fine.
        _ = new DecodingGraphBuilder(C, Precision.F64);
        _ = new ScoringGraphBuilder(C, Precision.F64);
        _ = new DecodingGraphBuilder(C, Precision.F16, GroupQueryAttention.Instance);
    }

    [Fact]
    public void NativeKernelsRefuseEveryComputeTypeButFloat32()
    {
        foreach (var precision in new[] { Precision.F16, Precision.F64, new Precision(DType.F32, DType.F16) })
        {
            Action[] builders =
            [
                () => _ = new DecodingGraphBuilder(C, precision, kernels: Med42Kernels.Instance),
                () => _ = new ScoringGraphBuilder(C, precision, kernels: Med42Kernels.Instance),
                () => _ = new TrainingGraphBuilder(C, precision, kernels: Med42Kernels.Instance),
            ];
            foreach (var build in builders)
                Assert.Contains("float32 only", Assert.Throws<Med42Exception>(build).Message);
        }
        // F16 weights computed in F32 are float32 to the kernels.
        _ = new DecodingGraphBuilder(C, new Precision(DType.F16, DType.F32), kernels: Med42Kernels.Instance);
    }

    [Fact]
    public void PrecisionIsAPairOfFloatTypes()
    {
        Assert.Throws<Med42Exception>(() => new Precision(DType.I64, DType.F32));
        Assert.Throws<Med42Exception>(() => new Precision(DType.F32, DType.I32));
        Assert.Equal(DType.F32, Precision.F16.Logits);
        Assert.Equal(DType.F64, Precision.F64.Logits);
    }

    // A training graph through every differentiable attention, with both kernel strategies: every op that reads and
    // writes floats has a rule in Graph's autodiff (the ai.med42 ops included), so Differentiator can reverse it.
    [Fact]
    public void DifferentiableAttentionsBuildOnlyOpsWithGradientRules()
    {
        var weights = PinnedGraphs.Weights(C);
        foreach (var attention in DifferentiableAttentions())
            foreach (INormKernels kernels in new INormKernels[] { OnnxKernels.Instance, Med42Kernels.Instance })
            {
                var b = new GraphBuilder();
                new TrainingGraphBuilder(C, attention: attention, kernels: kernels).Build(b, new CheckpointWeightBinder(weights, DType.F32, DType.F32));
                var missing = b.Graph.Nodes
                    .Where(n => n.Outputs.Any(o => o.Type.IsFloat()) && n.Inputs.Any(i => i is not null && i.Type.IsFloat()))
                    .Select(n => n.Domain == "" ? n.OpType : $"{n.Domain}:{n.OpType}")
                    .Where(op => !GradientRules.OpTypes.Contains(op)).Distinct();
                Assert.Empty(missing);
            }
    }

    private static IEnumerable<IDifferentiableAttention> DifferentiableAttentions() =>
        typeof(IDifferentiableAttention).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDifferentiableAttention).IsAssignableFrom(t))
            .Select(t => (IDifferentiableAttention)t.GetField("Instance")!.GetValue(null)!);
}
