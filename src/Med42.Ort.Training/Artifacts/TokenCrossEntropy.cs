// The training loss over [B,T,V] logits and [B,T] labels (already shifted; −100 = ignored), and its gradient with
// respect to the logits written out by hand:
//   loss = −Σ_t valid_t · y_t[label_t],  y = log_softmax(logits),  count = Σ_t valid_t
//   ∂loss/∂logits_t = valid_t · (softmax_t − onehot(label_t))
// built as Q = exp(y)·valid, then ScatterElements writes Q[label] − valid at each row's label (one index per row:
// no reduction, deterministic). At most two vocabulary-sized tensors are alive at a time (y→Q, Q→gradient).
// Reverse mode through LogSoftmax and GatherElements (their rules) holds a dense one-hot gradient, exp(y), their
// product and the difference instead: about two [B·T,V] float32 tensors more (≈ 66 MB at B×T = 256, V = 32000).
// The training graph seeds the differentiation at the logits with it (GradientOptions.Seed). Standard ONNX ops with
// CPU and CUDA kernels: SoftmaxCrossEntropyLoss has no CUDA kernel in the inference build (CudaOpCoverageTests).
// Checked against float64 central differences: TokenCrossEntropyTests.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Training.Artifacts;

public sealed class TokenCrossEntropy
{
    private readonly Value _logProbs, _labelIndex, _valid;

    private TokenCrossEntropy(Value loss, Value count, Value tokenLogProbs, Value logProbs, Value labelIndex, Value valid)
    {
        (Loss, Count, TokenLogProbs) = (loss, count, tokenLogProbs);
        (_logProbs, _labelIndex, _valid) = (logProbs, labelIndex, valid);
    }

    /// <summary>Summed negative log-likelihood of the non-ignored labels (a scalar of the logits' type).</summary>
    public Value Loss { get; }
    /// <summary>Number of non-ignored labels (a scalar of the logits' type).</summary>
    public Value Count { get; }
    /// <summary>[B,T] log p(label), 0 where ignored.</summary>
    public Value TokenLogProbs { get; }

    public static TokenCrossEntropy Build(GraphBuilder b, Value logits, Value labels)
    {
        var type = logits.Type;
        var ignored = b.Equal(labels, b.IntScalar(-100));                                       // [B,T]
        var labelIndex = b.Unsqueeze(b.Where(ignored, b.IntScalar(0), labels), -1);            // [B,T,1]
        var logProbs = b.LogSoftmax(logits, -1);                                                // [B,T,V]
        var picked = b.Squeeze(b.GatherElements(logProbs, labelIndex, -1), -1);                 // [B,T]
        var valid = b.Cast(b.Not(ignored), type);                                               // [B,T] 1 = target
        // The loss sums picked·valid, not the token log-probs: ORT writes graph outputs into the caller's bound
        // buffer, and a reduction reading an unaligned managed buffer sums in a different order run to run.
        var loss = b.Neg(b.ReduceSum(b.Mul(picked, valid), [0, 1], keepDims: false));
        var count = b.ReduceSum(valid, [0, 1], keepDims: false);
        var tokenLogProbs = b.Where(ignored, b.Scalar(0.0, type), picked);
        return new TokenCrossEntropy(loss, count, tokenLogProbs, logProbs, labelIndex, valid);
    }

    /// <summary>∂Loss/∂logits [B,T,V] (emit only in graphs that differentiate: ORT runs every node).</summary>
    public Value LogitsGradient(GraphBuilder b)
    {
        using var _ = b.Scope("logits_grad");
        var w = b.Unsqueeze(_valid, -1);                                                        // [B,T,1]
        var q = b.Mul(b.Exp(_logProbs), w);                                                     // valid·softmax
        var atLabel = b.Sub(b.GatherElements(q, _labelIndex, -1), w);                           // valid·(p_label − 1)
        return b.ScatterElements(q, _labelIndex, atLabel, -1);
    }
}
