// metrics.jsonl: one JSON object per optimizer step — step, loss, lr, grad_norm, tokens (seen so far, resumed runs
// included), tokens_per_s, and eval_loss / eval_perplexity on evaluation steps. Appended and flushed per line, so a
// resumed run continues the file and a crash loses at most the line being written.
using System.Text.Json;

namespace Med42.Ort.Training.Trainer;

public sealed class MetricsLog(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path, append: true);

    public void Write(TrainProgress p, long tokensSeen)
    {
        var row = new Dictionary<string, object?>
        {
            ["step"] = p.Step, ["loss"] = p.Loss, ["lr"] = p.Lr, ["grad_norm"] = p.GradNorm, ["tokens"] = tokensSeen, ["tokens_per_s"] = p.TokensPerSecond,
        };
        if (p.EvalLoss is not null) { row["eval_loss"] = p.EvalLoss; row["eval_perplexity"] = p.EvalPerplexity; }
        _writer.WriteLine(JsonSerializer.Serialize(row));
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
