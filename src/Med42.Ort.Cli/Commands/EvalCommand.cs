// `med42 eval`: multiple-choice medical benchmarks scored as lm-evaluation-harness v0.4 does (docs/eval.md).
// Wiring only: model (+ optional PEFT adapter on the fly) → scorer (OnnxScorer fast path, or --naive) →
// EvalRunner → results.json, samples_{task}.jsonl (--log-samples), results.md, and the Markdown table on stdout.
using Med42.Ort.Llama.Lora;
using System.Diagnostics;
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Eval;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Cli.Commands;

[Verb("eval", HelpText = "Score medical multiple-choice benchmarks exactly as lm-evaluation-harness does (see docs/eval.md for the data layout).")]
internal sealed class EvalCommand : RunOptionsBase, ICommand
{
    [Option("model", Required = true, HelpText = "Checkpoint: HF folder (base or fine-tuned output), llama2.c .bin or .gguf.")]
    public string Model { get; set; } = "";

    [Option("tokenizer", HelpText = "tokenizer.model, tokenizer.json or llama2.c tokenizer .bin (found beside the model when omitted).")]
    public string? Tokenizer { get; set; }

    [Option("adapter", HelpText = "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors), applied on the fly without merging.")]
    public string? Adapter { get; set; }

    [Option("tasks", Required = true, Separator = ',', HelpText = "Comma-separated tasks or groups: medical, mmlu_medical, medqa_4options, medmcqa, pubmedqa, mmlu_<subject>, or --task-file names.")]
    public IEnumerable<string> Tasks { get; set; } = [];

    [Option("data-dir", HelpText = "Benchmark folder: medqa/test.jsonl, medmcqa/dev.json, pubmedqa/…, mmlu/test|dev/… (docs/eval.md).")]
    public string? DataDir { get; set; }

    [Option("task-file", HelpText = "name=path [name=path …]: one task's file; an unknown name is a generic JSONL task {question, choices, answer}.")]
    public IEnumerable<string> TaskFiles { get; set; } = [];

    [Option("limit", HelpText = "Only the first N documents of each task; below 1, that fraction of each task, rounded up (as lm-evaluation-harness).")]
    public double? Limit { get; set; }

    [Option("out", HelpText = "Folder for results.json (lm-evaluation-harness v0.4 layout) and results.md (omitted: nothing is written).")]
    public string? Out { get; set; }

    [Option("log-samples", HelpText = "Also write samples_<task>.jsonl into --out: the harness's per-document records (arguments, resps, hashes, acc).")]
    public bool LogSamples { get; set; }
    [Option("force", HelpText = "Replace an existing non-empty --out folder.")]
    public bool Force { get; set; }

    [Option("batch-size", Default = 8, HelpText = "Continuation rows per forward pass (a question's options always stay together).")]
    public int BatchSize { get; set; } = 8;

    [Option("max-length", HelpText = "Context length for left truncation (default: the model's max_position_embeddings).")]
    public int? MaxLength { get; set; }

    [Option("num-fewshot", Default = 0, HelpText = "Few-shot examples (MMLU: the first k dev rows).")]
    public int NumFewshot { get; set; }

    [Option("mmlu-style", HelpText = "letter (harness v0.4: score ' A'…' D') or text (score the answer texts).")]
    public MmluStyle MmluStyle { get; set; } = MmluStyle.Letter;

    [Option("medmcqa-cop", HelpText = "MedMCQA cop base: auto (detect), 1 (original release) or 0 (HF copy).")]
    public CopChoice MedMcqaCop { get; set; } = CopChoice.Auto;

    [Option("no-bos", HelpText = "Do not prepend BOS when tokenising.")]
    public bool NoBos { get; set; }

    [Option("skip-bad", HelpText = "Skip bad records (counted and listed in results.json) instead of stopping.")]
    public bool SkipBad { get; set; }

    [Option("seed", Default = 1234, HelpText = "Recorded for reproducibility; zero-shot and first-k few-shot draw nothing at random.")]
    public int Seed { get; set; } = 1234;

    [Option("naive", HelpText = "One full forward per option, log-softmax in C# (slow reference path).")]
    public bool Naive { get; set; }

    /// <summary>Evaluates in this process, or as one rank of an MPI job (mpirun/srun): the scoring batches are shared
    /// out, every rank gathers all scores, and rank 0 alone prints and writes the results; a failing rank aborts the job.</summary>
    [Option("collective-timeout", Default = 1800.0, HelpText = RankFailures.TimeoutHelp)]
    public double CollectiveTimeout { get; set; } = 1800;

    public int Run(CancellationToken cancellationToken)
    {
        var communicator = Communicators.FromEnvironment();
        using var finalize = communicator as IDisposable;
        using var watched = RankFailures.WithTimeout(communicator, CollectiveTimeout) as IDisposable;
        return RankFailures.AbortOnError(communicator, () => Evaluate((ICommunicator?)watched ?? communicator, cancellationToken));
    }

    private int Evaluate(ICommunicator communicator, CancellationToken cancellationToken)
    {
        if (Naive && communicator.WorldSize > 1) throw new Med42Exception("--naive scores in one process only; run it without mpirun/srun");
        var speaks = communicator.Rank == 0;
        if (BatchSize < 1) throw new Med42Exception($"--batch-size must be ≥ 1, got {BatchSize}");
        CheckLimit(Limit);
        if (LogSamples && Out is null) throw new Med42Exception("--log-samples: needs --out (the folder samples_<task>.jsonl is written to)");
        if (NumFewshot < 0) throw new Med42Exception($"--num-fewshot must be ≥ 0, got {NumFewshot}");
        if (Out is not null) OutputFolder.CheckWritable(Out, Force); // before minutes of scoring, not after
        var taskOptions = new TaskOptions { NumFewshot = NumFewshot, MmluStyle = MmluStyle, MedMcqaCopBase = MedMcqaCop.ToCopBase() };
        var taskFiles = ParseTaskFiles(TaskFiles);
        var tasks = Tasks.Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
        // Unknown task names fail before the model is loaded (the runner re-validates the data itself).
        new TaskRegistry(new EvalDataLayout(DataDir, taskFiles), taskOptions).Expand(tasks);

        using var model = LoadedModel.Open(Model, Tokenizer);
        using var adapter = Adapter is null ? null : PeftAdapter.Read(Adapter, model.Config);
        ITensorStore weights = adapter is null ? model.Weights : new OverlayTensorStore(model.Weights, adapter.Tensors);
        ILinearFactory? linear = adapter?.Linear(model.Config);
        var maxLength = MaxLength ?? model.Config.MaxPositionEmbeddings;
        if (maxLength < 1 || maxLength > model.Config.MaxPositionEmbeddings)
            throw new Med42Exception($"--max-length {maxLength} must be in 1..{model.Config.MaxPositionEmbeddings} (the model's context length)");

        var settings = Session();
        using var graphs = Naive ? null : ScoringGraphs.Create(model.Config, weights, settings, linear);
        using var naive = Naive ? NaiveModelScorer.Create(model.Config, weights, settings, linear) : null;
        using var fast = graphs is null ? null : new OnnxScorer(graphs, new OnnxScorerOptions
        {
            BatchSize = BatchSize,
            Group = communicator.WorldSize > 1 ? new CommunicatorScoringGroup(communicator) : null,
        });
        ILoglikelihoodScorer scorer = (ILoglikelihoodScorer?)fast ?? naive!;

        var options = new EvalOptions
        {
            Tasks = tasks,
            DataDir = DataDir,
            TaskFiles = taskFiles,
            TaskOptions = taskOptions,
            MaxLength = maxLength,
            AddBos = !NoBos,
            Limit = Limit,
            SkipBad = SkipBad,
            ModelName = Adapter is null ? Model : $"{Model} + {Adapter}",
            OutputDir = speaks ? Out : null,
            LogSamples = LogSamples,
            BatchSize = Naive ? null : BatchSize,
            Seed = Seed,
            Device = EnumSpelling.Name(Device), // results.json config.device, as the flag spells it
        };
        var progress = speaks ? new ProgressLine(Console.Error) : null;
        var report = new EvalRunner(scorer, model.Tokenizer).Run(options, progress, cancellationToken);
        if (!speaks) return 0;
        progress!.Finish();
        Console.Out.Write(report.Markdown);
        Console.Out.Flush();
        Console.Error.WriteLine(Out is null ? "no --out: results not written" : $"wrote {Path.Combine(Out, "results.json")}, results.md{(LogSamples ? " and samples_<task>.jsonl" : "")}");
        return 0;
    }

    /// <summary>--limit is a count (a whole number ≥ 1), a fraction in (0, 1), or 0 (no documents, as the harness reads it).</summary>
    internal static void CheckLimit(double? limit)
    {
        if (limit is not { } l) return;
        if (!double.IsFinite(l) || l < 0) throw new Med42Exception($"--limit must be a count ≥ 0 or a fraction in (0, 1), got {l}");
        if (l >= 1 && l != Math.Floor(l)) throw new Med42Exception($"--limit {l}: a count must be a whole number (a fraction must be below 1)");
    }

    private static Dictionary<string, string> ParseTaskFiles(IEnumerable<string> items)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || eq == item.Length - 1) throw new Med42Exception($"--task-file: expected name=path, got '{item}'");
            map[item[..eq]] = item[(eq + 1)..];
        }
        return map;
    }

    /// <summary>"task  [#####.....] 40/120 questions  3.1 q/s  ETA 0:26" on stderr: rewritten in place on a terminal, every 10 s otherwise.</summary>
    private sealed class ProgressLine(TextWriter writer) : IProgress<EvalProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private TimeSpan _lastPrint = TimeSpan.FromSeconds(-10);
        private EvalProgress _last;

        public void Report(EvalProgress p)
        {
            _last = p;
            var now = _watch.Elapsed;
            if (!_terminal && now - _lastPrint < TimeSpan.FromSeconds(10) && p.QuestionsDone < p.QuestionsTotal) return;
            _lastPrint = now;
            var line = Render(p, now);
            if (_terminal) writer.Write("\r" + line.PadRight(Console.IsErrorRedirected ? 0 : Math.Max(0, SafeWidth() - 1)));
            else writer.WriteLine(line);
        }

        public void Finish()
        {
            if (_terminal) writer.WriteLine();
            writer.WriteLine($"scored {_last.QuestionsDone} questions in {_watch.Elapsed.TotalSeconds:F1} s");
        }

        private static string Render(EvalProgress p, TimeSpan elapsed)
        {
            const int width = 24;
            var fraction = p.QuestionsTotal == 0 ? 1.0 : (double)p.QuestionsDone / p.QuestionsTotal;
            var filled = (int)Math.Round(fraction * width);
            var rate = p.QuestionsDone / Math.Max(elapsed.TotalSeconds, 1e-9);
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.QuestionsTotal - p.QuestionsDone) / rate) : TimeSpan.Zero;
            return $"{p.Task,-28} [{new string('#', filled)}{new string('.', width - filled)}] {p.QuestionsDone}/{p.QuestionsTotal} questions  {rate:F2} q/s  ETA {eta:h\\:mm\\:ss}";
        }

        private static int SafeWidth()
        {
            try { return Console.WindowWidth; } catch (IOException) { return 100; }
        }
    }
}
