// Multiple-choice scoring through llama.cpp, the peer of `bench eval`: one llama_decode per request over its whole
// input (no prefix sharing between a question's options), logits only at the positions that predict a target
// token (our scoring graph, too, applies the LM head only there), log-softmax in double here.
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Runtime;

namespace Med42.Ort.Bench.Peers;

internal sealed class LlamaCppScorer(LlamaCppModel model) : PerRequestScorer
{
    public override LoglikelihoodResult ScoreOne(TokenRequest request)
    {
        // The logits at TargetStart .. T−1 predict the targets (TokenRequest's convention); none: 0, greedy, as the harness.
        if (request.TargetIds.Length == 0) return new LoglikelihoodResult(0, true);
        var first = request.TargetStart;
        model.Evaluate(request.InputIds, first);
        var sum = 0.0;
        var greedy = true;
        for (var j = 0; j < request.TargetIds.Length; j++)
        {
            var row = model.LogitsAt(first + j);
            var target = request.TargetIds[j];
            sum += row[target] - LogSumExp(row);
            greedy &= Sampler.ArgMax(row) == target;
        }
        return new LoglikelihoodResult(sum, greedy);
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        double max = float.NegativeInfinity;
        foreach (var x in row) max = Math.Max(max, x);
        var s = 0.0;
        foreach (var x in row) s += Math.Exp(x - max);
        return max + Math.Log(s);
    }
}
