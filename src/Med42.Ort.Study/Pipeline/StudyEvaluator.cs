// Evaluates one model (a checkpoint, optionally with a PEFT adapter applied on the fly) on the study's
// multiple-choice sets and on any benchmark files, through the evaluation library's fast ONNX scorer.
// Benchmarks follow the lm-evaluation-harness protocol exactly (EvalRunner). The study's own sets are
// scored in the configured style: "letter" is the harness medqa_4options prompt (generic JSONL task);
// "text" scores each option's text after "Question: {question}\nAnswer:" and reports acc_norm
// (log-likelihood per character, the harness's length normalisation).
using Med42.Ort.Llama.Lora;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Eval;
using Med42.Ort.Eval.Metrics;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Runtime;
using Med42.Ort.Study.Facts;

namespace Med42.Ort.Study.Pipeline;

/// <summary>A study MCQ file {question, choices, answer} evaluated under a task name.</summary>
public sealed record StudyTaskFile(string Name, string Path);

public sealed record EvalPlan
{
    public IReadOnlyList<StudyTaskFile> StudySets { get; init; } = [];
    public IReadOnlyList<McqStyle> McqStyles { get; init; } = [McqStyle.Text];
    public BenchmarkSet Benchmarks { get; init; } = BenchmarkSet.Empty;
    public string? DataDir { get; init; }
    public int? Limit { get; init; }
    public int BatchSize { get; init; } = 8;
}

public static class StudyEvaluator
{
    public static IReadOnlyList<TaskScore> Evaluate(string model, string? tokenizer, string? adapterDir, EvalPlan plan, SessionSettings settings,
        IProgress<EvalProgress>? progress = null, CancellationToken ct = default)
    {
        using var loaded = LoadedModel.Open(model, tokenizer);
        using var adapter = adapterDir is null ? null : PeftAdapter.Read(adapterDir, loaded.Config);
        ITensorStore weights = adapter is null ? loaded.Weights : new OverlayTensorStore(loaded.Weights, adapter.Tensors);
        ILinearFactory? linear = adapter?.Linear(loaded.Config);
        using var graphs = ScoringGraphs.Create(loaded.Config, weights, settings, linear);
        using var scorer = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = plan.BatchSize });
        var maxLength = loaded.Config.MaxPositionEmbeddings;
        var scores = new List<TaskScore>();

        var styles = plan.McqStyles;
        foreach (var style in styles.Where(st => st != McqStyle.Letter))
            foreach (var set in plan.StudySets)
                scores.Add(ScoreStyle(set with { Name = McqStyleExtensions.TaskName(set.Name, style, styles) }, style, scorer, loaded.Tokenizer, maxLength, progress, ct));
        var letterTasks = styles.Contains(McqStyle.Letter)
            ? plan.StudySets.Select(x => x with { Name = McqStyleExtensions.TaskName(x.Name, McqStyle.Letter, styles) }).ToList() : [];
        var taskFiles = new Dictionary<string, string>(plan.Benchmarks.Overrides, StringComparer.Ordinal);
        foreach (var s in letterTasks) taskFiles[s.Name] = s.Path;
        var names = letterTasks.Select(s => s.Name).Concat(plan.Benchmarks.Tasks).ToList();
        if (names.Count > 0)
        {
            // The study sets are never capped; benchmarks are capped by Limit (a separate runner call each).
            var runner = new EvalRunner(scorer, loaded.Tokenizer);
            EvalOptions Options(IReadOnlyList<string> tasks, int? limit) => new()
            {
                Tasks = tasks, DataDir = plan.DataDir, TaskFiles = taskFiles, MaxLength = maxLength, Limit = limit,
                ModelName = adapterDir is null ? model : $"{model} + {adapterDir}",
            };
            var parts = new List<(IReadOnlyList<string> Tasks, int? Limit)>();
            if (letterTasks.Count > 0) parts.Add((letterTasks.Select(s => s.Name).ToList(), null));
            if (plan.Benchmarks.Tasks.Count > 0) parts.Add((plan.Benchmarks.Tasks, plan.Limit));
            foreach (var (tasks, limit) in parts)
            {
                var report = runner.Run(Options(tasks, limit), progress, ct);
                foreach (var t in report.Tasks)
                {
                    var chance = t.Samples.Count == 0 ? double.NaN : t.Samples.Average(s => 1.0 / s.Doc.Choices.Count);
                    scores.Add(new TaskScore(t.Task, t.Metrics.N, t.Metrics.Acc.Mean, t.Metrics.Acc.Stderr, "acc", chance));
                }
            }
        }
        return scores;
    }

    /// <summary>Scores one study set in a non-harness presentation (see <see cref="McqStyle"/>).</summary>
    private static TaskScore ScoreStyle(StudyTaskFile set, McqStyle style, ILoglikelihoodScorer scorer, Core.Tokenizers.ITextTokenizer tokenizer, int maxLength,
        IProgress<EvalProgress>? progress, CancellationToken ct)
    {
        var items = ReadItems(set.Path);
        var rt = new RequestTokenizer(tokenizer, maxLength, addBos: true);
        // Per item: the requests of its options (and, for mutual information, the unconditional ones after them).
        var requests = new List<TokenRequest>();
        foreach (var (q, choices, _) in items)
        {
            foreach (var (ctx, cont) in style.Requests(q, choices)) requests.Add(rt.Tokenize(new LoglikelihoodRequest(ctx, cont)));
            if (style == McqStyle.TextMutualInfo)
                foreach (var c in choices) requests.Add(rt.Tokenize(new LoglikelihoodRequest(McqStyleExtensions.UnconditionalContext, " " + c)));
        }
        progress?.Report(new EvalProgress(set.Name, 0, items.Count));
        var results = scorer.Score(requests, null, ct);
        var correct = new List<bool>(items.Count);
        var k = 0;
        foreach (var (_, choices, answer) in items)
        {
            var n = choices.Length;
            var ll = Enumerable.Range(k, n).Select(i => results[i].LogLikelihood).ToArray();
            int pred;
            if (style == McqStyle.TextMutualInfo)
            {
                pred = EvalMetrics.Argmax(Enumerable.Range(0, n).Select(i => ll[i] - results[k + n + i].LogLikelihood).ToArray());
                k += 2 * n;
            }
            else
            {
                var p = EvalMetrics.Predict(ll, style == McqStyle.ChatLetter ? McqItem.Letters[..n] : choices);
                pred = style == McqStyle.ChatLetter ? p.Pred : p.PredNorm;
                k += n;
            }
            correct.Add(pred == answer);
        }
        progress?.Report(new EvalProgress(set.Name, items.Count, items.Count));
        var acc = EvalMetrics.MeanStderr(correct.Select(b => b ? 1.0 : 0.0).ToArray());
        return new TaskScore(set.Name, items.Count, acc.Mean, acc.Stderr, style.Metric(), items.Average(i => 1.0 / i.Choices.Length));
    }

    private static List<(string Question, string[] Choices, int Answer)> ReadItems(string path)
    {
        var items = new List<(string, string[], int)>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var r = doc.RootElement;
                var choices = r.GetProperty("choices").EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
                var answer = r.GetProperty("answer").GetInt32();
                if (answer < 0 || answer >= choices.Length) throw new Med42Exception($"{path}:{line}: answer {answer} out of range [0, {choices.Length - 1}]");
                items.Add((r.GetProperty("question").GetString() ?? "", choices, answer));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new Med42Exception($"{path}:{line}: bad multiple-choice record ({e.Message})");
            }
        }
        if (items.Count == 0) throw new Med42Exception($"{path}: no multiple-choice records");
        return items;
    }
}
