// The rule table: one gradient rule per (domain, op type), each in its own file under Rules/.
using Med42.Ort.Graph.Autodiff.Rules;

namespace Med42.Ort.Graph.Autodiff;

public static class GradientRules
{
    private static readonly Dictionary<string, GradientRule> Table = new(StringComparer.Ordinal)
    {
        ["Add"] = AddGrad.Backward,
        ["Sub"] = SubGrad.Backward,
        ["Mul"] = MulGrad.Backward,
        ["Div"] = DivGrad.Backward,
        ["Pow"] = PowGrad.Backward,
        ["Sqrt"] = SqrtGrad.Backward,
        ["Reciprocal"] = ReciprocalGrad.Backward,
        ["Neg"] = NegGrad.Backward,
        ["Exp"] = ExpGrad.Backward,
        ["Log"] = LogGrad.Backward,
        ["Sigmoid"] = SigmoidGrad.Backward,
        ["Tanh"] = TanhGrad.Backward,
        ["Identity"] = IdentityGrad.Backward,
        ["Cast"] = CastGrad.Backward,
        ["Sum"] = SumGrad.Backward,
        ["MatMul"] = MatMulGrad.Backward,
        ["Gemm"] = GemmGrad.Backward,
        [GraphBuilder.MicrosoftDomain + ":FusedMatMul"] = FusedMatMulGrad.Backward,
        [GraphBuilder.MicrosoftDomain + ":MatMulNBits"] = MatMulNBitsGrad.Backward,
        ["ReduceSum"] = ReduceSumGrad.Backward,
        ["ReduceMean"] = ReduceMeanGrad.Backward,
        ["Softmax"] = SoftmaxGrad.Backward,
        ["LogSoftmax"] = LogSoftmaxGrad.Backward,
        ["Gather"] = GatherGrad.Backward,
        ["GatherElements"] = GatherElementsGrad.Backward,
        ["Reshape"] = ReshapeGrad.Backward,
        ["Squeeze"] = SqueezeGrad.Backward,
        ["Unsqueeze"] = UnsqueezeGrad.Backward,
        ["Transpose"] = TransposeGrad.Backward,
        ["Expand"] = ExpandGrad.Backward,
        ["Slice"] = SliceGrad.Backward,
        ["Concat"] = ConcatGrad.Backward,
        ["Split"] = SplitGrad.Backward,
        ["Where"] = WhereGrad.Backward,
        ["SoftmaxCrossEntropyLoss"] = SoftmaxCrossEntropyLossGrad.Backward,
        [GraphBuilder.Med42Domain + ":RmsNorm"] = RmsNormGrad.Backward,
        [GraphBuilder.Med42Domain + ":Rotary"] = RotaryGrad.Backward,
    };

    private static string Key(string domain, string opType) => domain is "" or "ai.onnx" ? opType : $"{domain}:{opType}";

    /// <summary>The rule for an op, or null when there is none.</summary>
    public static GradientRule? Find(string domain, string opType) => Table.GetValueOrDefault(Key(domain, opType));

    /// <summary>Op types with a rule ("com.microsoft:FusedMatMul" for non-default domains).</summary>
    public static IReadOnlyCollection<string> OpTypes => Table.Keys;
}
