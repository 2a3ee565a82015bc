// The reference scorer: one full forward per request through a delegate returning logits [T, V],
// log-softmax in double in C#. It is the oracle the batched ONNX scoring graph is compared against.
// Argmax ties resolve to the lowest id, as torch.argmax does.
using Med42.Ort.Eval.Requests;

namespace Med42.Ort.Eval.Scoring;

public sealed class NaiveScorer(Func<int[], float[,]> forward) : PerRequestScorer
{
    public override LoglikelihoodResult ScoreOne(TokenRequest request)
    {
        if (request.TargetIds.Length == 0) return new LoglikelihoodResult(0.0, true);
        var logits = forward(request.InputIds);
        var t = request.InputIds.Length;
        if (logits.GetLength(0) != t)
            throw new InvalidOperationException($"forward returned {logits.GetLength(0)} positions for {t} input tokens");
        var v = logits.GetLength(1);
        double sum = 0;
        var greedy = true;
        for (var j = 0; j < request.TargetIds.Length; j++)
        {
            var pos = request.TargetStart + j;
            var target = request.TargetIds[j];
            if ((uint)target >= (uint)v) throw new InvalidOperationException($"target id {target} outside the vocabulary of {v}");
            double max = double.NegativeInfinity;
            var argmax = 0;
            for (var k = 0; k < v; k++)
                if (logits[pos, k] > max) { max = logits[pos, k]; argmax = k; }
            double z = 0;
            for (var k = 0; k < v; k++) z += Math.Exp(logits[pos, k] - max);
            sum += logits[pos, target] - max - Math.Log(z);
            greedy &= argmax == target;
        }
        return new LoglikelihoodResult(sum, greedy);
    }
}
