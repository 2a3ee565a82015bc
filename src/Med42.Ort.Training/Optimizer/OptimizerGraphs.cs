// The optimizer's ONNX graphs. ResidentTrainingBackend runs them on the execution provider of the training model, so
// gradients, parameters and AdamW moments stay in the memory that provider allocated (device memory under the CUDA EP,
// the CPU arena under the CPU EP: one code path). Each graph covers every parameter, so a job is one Run per step and
// its scalars are one small upload:
//   Accumulate  a_i ← a_i + g_i                              (micro-batches after the first)
//   Scale       g_i ← g_i · s, and optionally Σ_i Σ g_i² in float64 (1/targets with the squared global norm; clipping)
//   AdamW       torch.optim.AdamW in float32, the operations and their order of AdamW.cs
//   Copy        y ← x, any shape (host ↔ device through the provider's own data transfer)
// The updated tensors are bound to the buffers of the inputs they replace (in place): each element of such an input
// is read either by the very elementwise node that writes it, or by a node the writer depends on, so no read can
// follow the write (ORT does not know the buffers alias; the graphs are built so it need not).
// Tests: tests/Med42.Ort.Training.Tests/Optimizer/OptimizerGraphsTests.cs.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Training.Optimizer;

/// <summary>A trainable tensor as the optimizer graphs see it.</summary>
public sealed record OptimizedTensor(string Name, long[] Shape, bool Decays);

public static class OptimizerGraphs
{
    public const string GradSuffix = Artifacts.TrainingArtifacts.GradSuffix;
    public const string ExpAvgPrefix = "exp_avg.";
    public const string ExpAvgSqPrefix = "exp_avg_sq.";
    public const string AddendSuffix = "_addend";
    public const string UpdatedPrefix = "updated.";
    public const string ScaleInput = "scale";
    public const string SquaredNormOutput = "squared_norm";
    public const string HyperInput = "adamw_hyper";
    public const string CopyInput = "x";
    public const string CopyOutput = "y";

    /// <summary>The AdamW scalars of one step, in the order of <see cref="AdamWHyper"/>; host-computed (the bias
    /// corrections in double, as AdamW.cs) so the graph repeats AdamW.cs's float32 arithmetic exactly.</summary>
    public const int HyperLength = 8;

    /// <summary>[β1, 1−β1, β2, 1−β2, 1/√(1−β2^t), ε, lr/(1−β1^t), 1−lr·λ] as AdamW.cs rounds them to float32.</summary>
    public static void AdamWHyper(Span<float> hyper, double lr, int t, Trainer.AdamWOptions o)
    {
        var b1 = (float)o.Beta1;
        var b2 = (float)o.Beta2;
        hyper[0] = b1;
        hyper[1] = 1 - b1;
        hyper[2] = b2;
        hyper[3] = 1 - b2;
        hyper[4] = (float)(1 / Math.Sqrt(1 - Math.Pow(o.Beta2, t)));
        hyper[5] = (float)o.Epsilon;
        hyper[6] = (float)(lr / (1 - Math.Pow(o.Beta1, t)));
        hyper[7] = (float)(1 - lr * o.WeightDecay);
    }

    /// <summary>Inputs g_i ("name_grad") and <see cref="ScaleInput"/> (float32 scalar); outputs "updated.name_grad" = g_i·s
    /// and, when <paramref name="withNorm"/>, <see cref="SquaredNormOutput"/> = Σ (double)(g_i·s)² (float64 scalar).</summary>
    public static IrGraph Scale(IReadOnlyList<OptimizedTensor> tensors, bool withNorm)
    {
        var b = new GraphBuilder(withNorm ? "scale_and_norm" : "scale");
        var s = b.Input(ScaleInput, DType.F32);
        var squares = new List<Value>();
        foreach (var t in tensors)
        {
            var g = b.Input(t.Name + GradSuffix, DType.F32, Dims(t.Shape));
            var scaled = b.Output(b.Mul(g, s), UpdatedPrefix + g.Name);
            if (!withNorm) continue;
            var wide = b.Cast(scaled, DType.F64);   // float·float is exact in double: only the summation rounds
            squares.Add(b.ReduceSum(b.Mul(wide, wide), Enumerable.Range(0, t.Shape.Length).Select(i => (long)i).ToArray(), keepDims: false));
        }
        if (withNorm) b.Output(b.Sum([.. squares]), SquaredNormOutput);
        return b.Graph;
    }

    /// <summary>Inputs g_i ("name_grad") and their addends ("name_grad_addend"); outputs "updated.name_grad" = g_i + addend_i.</summary>
    public static IrGraph Accumulate(IReadOnlyList<OptimizedTensor> tensors)
    {
        var b = new GraphBuilder("accumulate");
        foreach (var t in tensors)
        {
            var g = b.Input(t.Name + GradSuffix, DType.F32, Dims(t.Shape));
            var addend = b.Input(g.Name + AddendSuffix, DType.F32, Dims(t.Shape));
            b.Output(b.Add(g, addend), UpdatedPrefix + g.Name);
        }
        return b.Graph;
    }

    /// <summary>
    /// Inputs p_i ("name"), g_i ("name_grad"), m_i ("exp_avg.name"), v_i ("exp_avg_sq.name") and <see cref="HyperInput"/>;
    /// outputs the same names prefixed "updated.":
    ///   m ← β1·m + (1−β1)·g;  v ← β2·v + ((1−β2)·g)·g;  p ← p·(1−lr·λ) − (lr/(1−β1^t))·m / (√v·(1/√(1−β2^t)) + ε)
    /// (no decay factor for tensors that do not decay: p·1 is p).
    /// </summary>
    public static IrGraph AdamW(IReadOnlyList<OptimizedTensor> tensors)
    {
        var b = new GraphBuilder("adamw");
        var hyper = b.Input(HyperInput, DType.F32, Dim.Of(HyperLength));
        var h = Enumerable.Range(0, HyperLength).Select(i => b.Gather(hyper, b.IntScalar(i))).ToArray();
        foreach (var t in tensors)
            using (b.Scope(t.Name))
            {
                var p = b.Input(t.Name, DType.F32, Dims(t.Shape));
                var g = b.Input(t.Name + GradSuffix, DType.F32, Dims(t.Shape));
                var m = b.Input(ExpAvgPrefix + t.Name, DType.F32, Dims(t.Shape));
                var v = b.Input(ExpAvgSqPrefix + t.Name, DType.F32, Dims(t.Shape));
                var m1 = b.Output(b.Add(b.Mul(h[0], m), b.Mul(h[1], g)), UpdatedPrefix + m.Name);
                var v1 = b.Output(b.Add(b.Mul(h[2], v), b.Mul(b.Mul(h[3], g), g)), UpdatedPrefix + v.Name);
                var denom = b.Add(b.Mul(b.Sqrt(v1), h[4]), h[5]);
                var step = b.Div(b.Mul(h[6], m1), denom);
                b.Output(b.Sub(t.Decays ? b.Mul(p, h[7]) : p, step), UpdatedPrefix + p.Name);
            }
        return b.Graph;
    }

    /// <summary>y = Identity(x) for a float32 tensor of any shape.</summary>
    public static IrGraph Copy()
    {
        var b = new GraphBuilder("copy");
        b.Output(b.Identity(b.Input(CopyInput, DType.F32, null!)), CopyOutput);
        return b.Graph;
    }

    private static Dim[] Dims(long[] shape) => shape.Select(Dim.Of).ToArray();
}
