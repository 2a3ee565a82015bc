// A linear whose LoRA matrices are graph inputs, for a base model that ONNX Runtime's LoRA API drives
// (OrtLoraAdapter + RunOptions.AddActiveLoraAdapter feed adapter parameters as the inputs of the same name):
//   y = inner(x) + (x·Aᵀ)·Bᵀ       A [lora_rank, in], B [out, lora_rank]  (PEFT layout and PEFT names)
//   x ─inner (plain / int4)──────────────────────Add─ y
//   x ─MatMul(Transpose(A))─MatMul(Transpose(B))─┘
// Each input also has a zero-sized default initializer (A [0, in], B [out, 0]), as in ORT's own
// two_params_lora_model test: with no adapter active the branch adds [B,T,out] zeros, so the model is
// the base model. The rank is symbolic, so adapters of any rank load; α/r is folded into B by the
// adapter writer (OnnxAdapter.FromPeft), so adapters with different α/r share one base model.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Lora;

namespace Med42.Ort.Export.Adapters;

public sealed class LoraInputLinear(ILinearFactory inner, IReadOnlyList<string> targets) : ILinearFactory
{
    public const string RankDim = "lora_rank";

    public IReadOnlyList<string> Targets { get; } = targets;

    /// <summary>The LoRA input names created so far, in graph order.</summary>
    public List<string> InputNames { get; } = [];

    public Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights)
    {
        var y = inner.Build(b, x, spec, weights);
        if (spec.Kind != WeightKind.Linear || !Targets.Contains(spec.Module)) return y;
        using var _ = b.Scope("lora");
        var outF = spec.Shape[0];
        var inF = spec.Shape[1];
        var a = Parameter(b, LoraWeights.Name(spec.Layer, spec.Module, 'A'), x, [RankDim, inF], [0, inF]);   // [r, in]
        var bm = Parameter(b, LoraWeights.Name(spec.Layer, spec.Module, 'B'), x, [outF, RankDim], [outF, 0]); // [out, r]
        var low = b.MatMul(b.MatMul(x, b.Transpose(a, 1, 0)), b.Transpose(bm, 1, 0));                      // [B,T,out]
        return b.Add(y, low);
    }

    private Value Parameter(GraphBuilder b, string name, Value x, Dim[] shape, long[] emptyShape)
    {
        var input = b.Input(name, x.Type, shape);
        // Same name as the input: an overridable default (ONNX IR ≥ 4), which ORT never constant-folds.
        b.Graph.Initializers.Add(new Initializer(input, TensorSource.FromBytes(x.Type, emptyShape, [])));
        InputNames.Add(name);
        return input;
    }
}
