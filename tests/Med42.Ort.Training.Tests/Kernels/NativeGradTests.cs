// Autodiff rules of the ai.med42 custom ops (src/Med42.Ort.Graph/Autodiff/Rules/RmsNormGrad.cs, RotaryGrad.cs)
// through the Llama blocks' --kernels native path. The custom ops are float32 only, so float64 central
// differences of the op itself are impossible: as for FusedMatMul (tests/Med42.Ort.Graph.Tests/Autodiff),
// the float32 gradient (RmsNormGrad / RotaryGrad nodes run by libmed42_ort_ops) is compared with float64
// central differences of the plain-op composite of the same block (--kernels onnx, ComputeType F64).
// Lives here rather than in Med42.Ort.Graph.Tests because this project ships libmed42_ort_ops (via Training → Native).
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter NativeGradTests
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Tests.Kernels;

public class NativeGradTests
{
    // h = 1e-5 in float64: truncation h²·f'''/6 and rounding ε·|f|/h are both ≲ 1e-10.
    private const double Step = 1e-5;
    // Float32 analytic gradients (sums of ≤ 16 O(1) terms, ~1e-6 relative rounding) vs float64 differences:
    // 1e-4 relative to max(|g|, |fd|, 1e-3), the FusedMatMul test's float32 bar.
    private const double RelTol = 1e-4, Floor = 1e-3;

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

    private static void Check(Func<GraphBuilder, Value[], INormKernels, Value> op, long[][] shapes, (double Lo, double Hi)[] ranges,
        string gradOp, int seed)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var rng = new Random(seed);
        // Inputs and R are float32 values, so both graphs see exactly the same function arguments.
        var values = shapes.Select((s, i) => Enumerable.Range(0, (int)Count(s))
            .Select(_ => (double)(float)(ranges[i].Lo + (ranges[i].Hi - ranges[i].Lo) * rng.NextDouble())).ToArray()).ToArray();

        var (native, outShape) = Build(DType.F32, op, Med42Kernels.Instance, shapes, withGrads: true);
        var r = Enumerable.Range(0, (int)Count(outShape)).Select(_ => (double)(float)(rng.NextDouble() * 2 - 1)).ToArray();
        var nativeGraph = native.Graph;
        Assert.Contains(nativeGraph.Nodes, n => n.Domain == OrtOpsDomain && n.OpType == gradOp);
        Assert.DoesNotContain(nativeGraph.Nodes, n => n.OpType is "ReduceMean" or "Split");   // no composite left
        var (composite, _) = Build(DType.F64, op, OnnxKernels.Instance, shapes, withGrads: false);

        using var ns = new SessionSettings { CustomOpLibraries = [lib] }.CreateSession(OnnxExport.ToBytes(nativeGraph));
        using var results = ns.Run(Feeds(values, shapes, r, outShape, DType.F32), shapes.Select((_, i) => $"x{i}_grad").ToArray());
        var analytic = results.Select(v => v.AsTensor<float>().ToArray()).ToArray();

        using var f = new SessionSettings().CreateSession(OnnxExport.ToBytes(composite.Graph));
        double Loss()
        {
            using var res = f.Run(Feeds(values, shapes, r, outShape, DType.F64), ["loss"]);
            return res[0].AsTensor<double>().GetValue(0);
        }
        for (var i = 0; i < shapes.Length; i++)
            for (var j = 0; j < values[i].Length; j++)
            {
                var saved = values[i][j];
                values[i][j] = saved + Step;
                var plus = Loss();
                values[i][j] = saved - Step;
                var minus = Loss();
                values[i][j] = saved;
                var fd = (plus - minus) / (2 * Step);
                var g = (double)analytic[i][j];
                var scale = Math.Max(Floor, Math.Max(Math.Abs(g), Math.Abs(fd)));
                Assert.True(Math.Abs(g - fd) <= RelTol * scale, $"d/dx{i}[{j}]: native {g:R}, finite difference {fd:R}");
            }
    }

    private const string OrtOpsDomain = GraphBuilder.Med42Domain;

    // loss = Σ op(x…) ⊙ r, with x{i}_grad outputs when asked.
    private static (GraphBuilder, long[]) Build(DType type, Func<GraphBuilder, Value[], INormKernels, Value> op, INormKernels k,
        long[][] shapes, bool withGrads)
    {
        var b = new GraphBuilder("native_gradcheck");
        var xs = shapes.Select((s, i) => b.Input($"x{i}", type, s.Select(Dim.Of).ToArray())).ToArray();
        var y = op(b, xs, k);
        var outShape = y.Shape!.Select(d => d.Size!.Value).ToArray();
        var r = b.Input("r", type, y.Shape!);
        var loss = b.ReduceSum(b.Mul(y, r), Enumerable.Range(0, y.Rank).Select(a => (long)a).ToArray(), keepDims: false);
        b.Output(loss, "loss");
        if (withGrads)
        {
            var grads = Differentiator.Gradients(b, loss, xs);
            for (var i = 0; i < xs.Length; i++) b.Output(grads[i] ?? throw new InvalidOperationException($"x{i} got no gradient"), $"x{i}_grad");
        }
        return (b, outShape);
    }

    private static List<NamedOnnxValue> Feeds(double[][] values, long[][] shapes, double[] r, long[] rShape, DType type)
    {
        var feeds = values.Select((v, i) => Tensor($"x{i}", v, shapes[i], type)).ToList();
        feeds.Add(Tensor("r", r, rShape, type));
        return feeds;
    }

    private static NamedOnnxValue Tensor(string name, double[] v, long[] shape, DType type)
    {
        var dims = shape.Select(d => (int)d).ToArray();
        return type == DType.F64
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(v.ToArray(), dims))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(v.Select(x => (float)x).ToArray(), dims));
    }

    private static long Count(long[] s) => s.Aggregate(1L, (a, d) => a * d);
}
