// Autodiff rules of the ai.med42 custom ops (src/Med42.Ort.Graph/Autodiff/Rules/RmsNormGrad.cs, RotaryGrad.cs)
// through the Llama blocks' --kernels native path. The custom ops are float32 only, so float64 central
// differences of the op itself are impossible: as for FusedMatMul (tests/Med42.Ort.Graph.Tests/Autodiff),
// the float32 gradient (RmsNormGrad / RotaryGrad nodes run by libmed42_ort_ops) is compared with float64
// central differences of the plain-op composite of the same block (--kernels onnx, ComputeType F64), through
// the shared GradCheck harness at its float32 tolerance.
// Lives here rather than in Med42.Ort.Graph.Tests because this project ships libmed42_ort_ops (via Training → Native).
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter NativeGradTests
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared.Autodiff;

namespace Med42.Ort.Training.Tests.Kernels;

public class NativeGradTests
{
    private static readonly LlamaConfig Rope = new()
    {
        HiddenSize = 16, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1,
        VocabSize = 8, MaxPositionEmbeddings = 16, RopeTheta = 100,   // D = 8; θ = 100 makes every pair rotate visibly
    };

    [SkippableTheory]
    [InlineData(1, 7)]
    [InlineData(3, 20)]
    public void RmsNormGradientMatchesCompositeFiniteDifferences(int rows, int c)
    {
        Check((b, x, k) => k.RmsNorm(b, x[0], x[1], 1e-5),
            [[rows, c], [c]], [(-2, 2), (0.5, 1.5)], "RmsNormGrad", seed: rows);
    }

    // Rank 4 is k [B,Hkv,T,D], rank 5 is q [B,Hkv,G,T,D]: the block broadcasts position ids [B,T] over the head axes.
    [SkippableTheory]
    [InlineData(new long[] { 2, 2, 3, 8 })]
    [InlineData(new long[] { 2, 1, 2, 3, 8 })]
    public void RotaryGradientMatchesCompositeFiniteDifferences(long[] shape)
    {
        long[] positions = [5, 0, 9, 3, 15, 7];   // [B=2, T=3], within MaxPositionEmbeddings
        Check((b, x, k) =>
        {
            var pos = b.Constant(TensorSource.FromInt64s([2, 3], positions));
            return k.Rotary(b, Rope, pos, x[0].Type).Apply(b, x[0]);
        }, [shape], [(-1, 1)], "RotaryGrad", seed: shape.Length);
    }

    // The same block built twice: with the native kernels in float32 (analytic gradient through the custom
    // ops' rules) and with plain ONNX ops in float64 (the finite-difference reference).
    private static void Check(Func<GraphBuilder, Value[], INormKernels, Value> op, long[][] shapes, (double Lo, double Hi)[] ranges,
        string gradOp, int seed)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        GradCheck.CheckAgainstReference((b, x) => op(b, x, Med42Kernels.Instance), (b, x) => op(b, x, OnnxKernels.Instance),
            [.. shapes.Select((s, i) => new GradInput(s, Lo: ranges[i].Lo, Hi: ranges[i].Hi))], seed,
            new SessionSettings { CustomOpLibraries = [lib] }, graph =>
            {
                Assert.Contains(graph.Nodes, n => n.Domain == GraphBuilder.Med42Domain && n.OpType == gradOp);
                Assert.DoesNotContain(graph.Nodes, n => n.OpType is "ReduceMean" or "Split");   // no composite left
            });
    }
}
