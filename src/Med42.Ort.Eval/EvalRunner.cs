// Wires an evaluation: tasks → documents → (context, " " + choice) requests → token requests →
// scorer → metrics → outputs. All files are read and validated before any scoring starts, so bad data
// fails fast. The scorer and tokenizer are injected: the naive oracle, the ONNX fast path, or fakes.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Metrics;
using Med42.Ort.Eval.Reports;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval;

public sealed class EvalRunner(ILoglikelihoodScorer scorer, ITextTokenizer tokenizer)
{
    /// <summary>The (context, continuation) requests of one document, one per choice.</summary>
    public static IReadOnlyList<LoglikelihoodRequest> RequestsFor(IEvalTask task, MultipleChoiceDoc doc)
    {
        var context = task.BuildContext(doc);
        return doc.Choices.Select(c => new LoglikelihoodRequest(context, " " + c)).ToArray();
    }

    // Over 60 lines on purpose: load → requests → score → aggregate → write in the harness's order, read top to
    // bottom; each step's logic already lives in its own type (TaskRegistry, RequestTokenizer, EvalMetrics, ResultsWriter).
    public EvalReport Run(EvalOptions options, IProgress<EvalProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var registry = new TaskRegistry(new EvalDataLayout(options.DataDir, options.TaskFiles), options.TaskOptions);
        var (names, groups) = registry.Expand(options.Tasks);
        var log = new BadDataLog(options.SkipBad);

        // Load everything first: a missing file or bad record stops the run before the model is used.
        var loaded = new List<(IEvalTask Task, IReadOnlyList<MultipleChoiceDoc> Docs, int Available, int Skipped)>();
        foreach (var name in names)
        {
            var task = registry.Create(name);
            var before = log.Skipped;
            var docs = task.LoadDocs(log);
            if (docs.Count == 0)
                throw new Med42Exception($"{task.DataPath}: task '{task.Name}': no usable records ({log.Skipped - before} skipped as bad); nothing to score");
            var available = docs.Count;
            if (options.Limit is not null) docs = docs.Take(options.LimitCount(available)).ToArray();
            loaded.Add((task, docs, available, log.Skipped - before));
        }

        var requestTokenizer = new RequestTokenizer(tokenizer, options.MaxLength, options.AddBos);
        var total = loaded.Sum(l => l.Docs.Count);
        var doneBefore = 0;
        var results = new List<TaskResult>();
        foreach (var (task, docs, available, skipped) in loaded)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var contexts = docs.Select(task.BuildContext).ToArray();
            var requests = new List<TokenRequest>();
            var firstRequest = new int[docs.Count + 1]; // request offsets per document, for progress in questions
            for (var d = 0; d < docs.Count; d++)
            {
                firstRequest[d] = requests.Count;
                foreach (var choice in docs[d].Choices)
                    requests.Add(requestTokenizer.Tokenize(new LoglikelihoodRequest(contexts[d], " " + choice)));
            }
            firstRequest[docs.Count] = requests.Count;

            var offset = doneBefore;
            var taskProgress = progress is null ? null : new InlineProgress<ScoringProgress>(p =>
            {
                // Documents whose every request is scored.
                var idx = Array.BinarySearch(firstRequest, p.Done);
                var docsDone = idx >= 0 ? idx : ~idx - 1;
                progress.Report(new EvalProgress(task.Name, offset + Math.Clamp(docsDone, 0, docs.Count), total));
            });
            var scores = scorer.Score(requests, taskProgress, cancellationToken);
            if (scores.Count != requests.Count)
                throw new InvalidOperationException($"scorer returned {scores.Count} results for {requests.Count} requests");

            var samples = new List<DocScore>(docs.Count);
            for (var d = 0; d < docs.Count; d++)
            {
                var docResults = Enumerable.Range(firstRequest[d], firstRequest[d + 1] - firstRequest[d]).Select(i => scores[i]).ToArray();
                RequireFinite(task, docs[d], docResults);
                var (pred, predNorm) = EvalMetrics.Predict(docResults.Select(r => r.LogLikelihood).ToArray(), docs[d].Choices);
                samples.Add(new DocScore(docs[d], contexts[d], docResults, pred, predNorm));
            }
            var metrics = EvalMetrics.Summarize(task.Name, samples.Select(s => s.Acc).ToArray(), samples.Select(s => s.AccNorm).ToArray());
            results.Add(new TaskResult(task.Name, task.Version, task.NumFewshot, task.DataPath, metrics, samples, skipped, available,
                HarnessTaskSpec.For(task.Name, task.DataPath, options.TaskOptions.MmluStyle)));
            doneBefore += docs.Count;
            progress?.Report(new EvalProgress(task.Name, doneBefore, total));
        }

        var groupSummaries = groups
            .Select(g => EvalMetrics.Group(g, results.Where(r => TaskRegistry.Groups[g].Contains(r.Task)).Select(r => r.Metrics).ToArray()))
            .ToArray();
        var notes = loaded.SelectMany(l => l.Task.Notes).Concat(log.Messages.Select(m => "skipped: " + m)).ToArray();
        var config = new EvalRunConfig(options.ModelName, options.Tasks, options.TaskOptions.NumFewshot,
            options.TaskOptions.MmluStyle.ToString().ToLowerInvariant(), options.AddBos, options.MaxLength, options.Limit,
            PromptTemplates.Version, DateTimeOffset.UtcNow, notes) { BatchSize = options.BatchSize, Device = options.Device, Seed = options.Seed };
        var report = new EvalReport(results, groupSummaries, config);
        // One folder renamed into place: a kill never leaves samples without results.json under the final name.
        if (options.OutputDir is { } dir) OutputFolder.Replace(dir, tmp => ResultsWriter.WriteAll(report, tmp, options.LogSamples));
        return report;
    }

    // A log-likelihood is finite whenever the logits are (log-softmax subtracts the row maximum), so a
    // non-finite score means the model produced NaN/Inf: stop rather than report a meaningless accuracy.
    private static void RequireFinite(IEvalTask task, MultipleChoiceDoc doc, LoglikelihoodResult[] results)
    {
        for (var c = 0; c < results.Length; c++)
            if (!double.IsFinite(results[c].LogLikelihood))
                throw new Med42Exception($"{doc.Source}: task '{task.Name}': the log-likelihood of choice '{doc.Choices[c]}' is {results[c].LogLikelihood}: " +
                    "the model's logits are not finite (NaN/Inf weights or an overflow); stopping instead of scoring garbage");
    }

    // Progress<T> posts to a SynchronizationContext/thread pool; reports here must arrive in order.
    private sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
