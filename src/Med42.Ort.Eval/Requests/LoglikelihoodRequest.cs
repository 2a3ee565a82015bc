// The harness's loglikelihood Instance: (context, continuation) text, before tokenisation,
// and its token-level form that scorers consume.
namespace Med42.Ort.Eval.Requests;

/// <summary>One (context, continuation) pair; the continuation already carries the target delimiter (" " + choice).</summary>
public sealed record LoglikelihoodRequest(string Context, string Continuation);

/// <summary>
/// A tokenised request. Feed <see cref="InputIds"/> (length T) to the model; the logits at positions
/// TargetStart .. T-1 predict <see cref="TargetIds"/> (TargetStart = T - TargetIds.Length). May have
/// zero targets when the continuation merged entirely into the context's last token (log-likelihood 0,
/// greedy, as the harness computes it).
/// </summary>
public sealed record TokenRequest(int[] InputIds, int[] TargetIds)
{
    public int TargetStart => InputIds.Length - TargetIds.Length;
}
