// Typed options of one evaluation run (what `med42 eval` flags map to).
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval;

public sealed record EvalOptions
{
    /// <summary>Task or group names ("medical", "medqa_4options,mmlu_anatomy", or --task-file names).</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>--data-dir; see <see cref="EvalDataLayout"/> for the layout.</summary>
    public string? DataDir { get; init; }

    /// <summary>--task-file name=path overrides (a non-built-in name becomes a generic JSONL task).</summary>
    public IReadOnlyDictionary<string, string>? TaskFiles { get; init; }

    public TaskOptions TaskOptions { get; init; } = new();

    /// <summary>The model's context length; requests are left-truncated to it.</summary>
    public int MaxLength { get; init; } = 4096;

    /// <summary>Prepend BOS when tokenising (false = --no-bos).</summary>
    public bool AddBos { get; init; } = true;

    /// <summary>--limit: the first N documents of each task, or below 1 that fraction of each task (rounded up, as lm-evaluation-harness).</summary>
    public double? Limit { get; init; }

    /// <summary>How many of a task's <paramref name="available"/> documents <see cref="Limit"/> keeps (harness: ceil(n × limit) when limit &lt; 1, else int(limit)).</summary>
    public int LimitCount(int available) => Limit switch
    {
        null => available,
        < 1.0 and var fraction => (int)Math.Min(available, Math.Ceiling(available * Math.Max(0, fraction))),
        var count => (int)Math.Min(available, Math.Floor(count.Value)),
    };

    /// <summary>--skip-bad: count and skip bad records instead of failing on the first.</summary>
    public bool SkipBad { get; init; }

    /// <summary>Model name recorded in results.json.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>Output folder for results.json and results.md; null writes nothing.</summary>
    public string? OutputDir { get; init; }

    /// <summary>--log-samples: also write samples_{task}.jsonl (the harness's per-document records) into <see cref="OutputDir"/>.</summary>
    public bool LogSamples { get; init; }

    /// <summary>Scorer rows per forward pass, recorded as results.json config.batch_size.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Device or execution provider, recorded as results.json config.device.</summary>
    public string? Device { get; init; }

    /// <summary>--seed, recorded as the harness's seeds (zero-shot and first-k few-shot draw nothing at random).</summary>
    public int Seed { get; init; } = 1234;
}

/// <summary>Progress in questions (documents) across all tasks of the run.</summary>
public readonly record struct EvalProgress(string Task, int QuestionsDone, int QuestionsTotal);
