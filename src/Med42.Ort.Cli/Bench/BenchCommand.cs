using System.Reflection;
using CommandLine;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Cli.Bench;

[Verb("bench", HelpText = "Benchmarks: bench generate|train|eval|export. Results print as a table and append to a CSV.")]
internal sealed class BenchCommand : ICommand
{
    [Value(0, MetaName = "target", Required = true, HelpText = "What to benchmark.")]
    public string Target { get; set; } = "";

    [Option("threads", Default = "1,2", HelpText = "Comma-separated thread counts to sweep.")]
    public string Threads { get; set; } = "1,2";

    [Option("models", Default = "stories260K,15M,110M", HelpText = "Comma-separated model shapes (stories260K needs --stories260k or ../shared/data).")]
    public string Models { get; set; } = "stories260K,15M,110M";

    [Option("stories260k", HelpText = "Path to stories260K.bin (default: ../shared/data/models/stories260K/stories260K.bin if present).")]
    public string? Stories260K { get; set; }

    [Option("steps", Default = 256, HelpText = "Generated positions per run (generate).")]
    public int Steps { get; set; } = 256;

    [Option("repeats", Default = 3, HelpText = "Timed repetitions; the median is reported.")]
    public int Repeats { get; set; } = 3;

    [Option("csv", Default = "bench-results.csv", HelpText = "CSV file rows are appended to.")]
    public string Csv { get; set; } = "bench-results.csv";

    [Option("tokenizer", HelpText = "eval: the Llama-2 tokenizer.model (32000 pieces).")]
    public string? Tokenizer { get; set; }

    [Option("medqa", HelpText = "eval: MedQA 4-option JSONL (e.g. the dev file phrases_no_exclude_dev.jsonl).")]
    public string? MedQa { get; set; }

    [Option("questions", Default = 8, HelpText = "eval: MedQA questions per timed run.")]
    public int Questions { get; set; } = 8;

    [Option("naive-questions", Default = 2, HelpText = "eval: questions for the (slow) naive path.")]
    public int NaiveQuestions { get; set; } = 2;

    [Option("batch-sizes", Default = "1,2,4,8,16,32", HelpText = "eval: fast-path batch sizes (rows per forward).")]
    public string BatchSizes { get; set; } = "1,2,4,8,16,32";

    [Option("full-logits-batch", Default = 4, HelpText = "eval: batch size of the generation path's full-logits run (0 = skip).")]
    public int FullLogitsBatch { get; set; } = 4;

    [Option("artifacts", HelpText = "train-prepare/train-step (internal): the folder the training artifacts are written to / loaded from.")]
    public string? Artifacts { get; set; }

    [Option("quick", HelpText = "Smallest settings (smoke test).")]
    public bool Quick { get; set; }

    public int[] ThreadCounts() => Threads.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
    public string[] ModelNames() => Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public int Run(CancellationToken cancellationToken)
    {
        var all = typeof(BenchCommand).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!).ToList();
        var bench = all.FirstOrDefault(b => b.Name == Target)
            ?? throw new Med42Exception($"bench: unknown target '{Target}' (available: {string.Join(", ", all.Select(b => b.Name).Order())})");
        return bench.Run(this, cancellationToken);
    }
}
