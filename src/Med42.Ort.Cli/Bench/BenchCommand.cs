// `med42 bench TARGET`: parses the flags into BenchOptions and runs the benchmark program (Med42.Ort.Bench).
using CommandLine;
using Spectre.Console;
using Med42.Ort.Bench;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;

namespace Med42.Ort.Cli.Bench;

[Verb("bench", HelpText = "Benchmarks: bench generate|train|eval|export. Results print as a table and append to a CSV.")]
internal sealed class BenchCommand : ICommand
{
    [Value(0, MetaName = "target", Required = true, HelpText = "What to benchmark.")]
    public string Target { get; set; } = "";

    [Option("threads", Default = BenchOptions.DefaultThreads, HelpText = "Comma-separated thread counts to sweep.")]
    public string Threads { get; set; } = BenchOptions.DefaultThreads;

    [Option("models", Default = BenchOptions.DefaultModels, HelpText = "Comma-separated model shapes (stories260K needs --stories260k or ../shared/data).")]
    public string Models { get; set; } = BenchOptions.DefaultModels;

    [Option("stories260k", HelpText = "Path to stories260K.bin (default: ../shared/data/models/stories260K/stories260K.bin if present).")]
    public string? Stories260K { get; set; }

    [Option("steps", Default = BenchOptions.DefaultSteps, HelpText = "Generated positions per run (generate).")]
    public int Steps { get; set; } = BenchOptions.DefaultSteps;

    [Option("repeats", Default = BenchOptions.DefaultRepeats, HelpText = "Timed repetitions; the median is reported.")]
    public int Repeats { get; set; } = BenchOptions.DefaultRepeats;

    [Option("csv", Default = BenchOptions.DefaultCsv, HelpText = "CSV file rows are appended to.")]
    public string Csv { get; set; } = BenchOptions.DefaultCsv;

    [Option("tokenizer", HelpText = "eval: the Llama-2 tokenizer.model (32000 pieces).")]
    public string? Tokenizer { get; set; }

    [Option("medqa", HelpText = "eval: MedQA 4-option JSONL (e.g. the dev file phrases_no_exclude_dev.jsonl).")]
    public string? MedQa { get; set; }

    [Option("questions", Default = BenchOptions.DefaultQuestions, HelpText = "eval: MedQA questions per timed run.")]
    public int Questions { get; set; } = BenchOptions.DefaultQuestions;

    [Option("naive-questions", Default = BenchOptions.DefaultNaiveQuestions, HelpText = "eval: questions for the (slow) naive path.")]
    public int NaiveQuestions { get; set; } = BenchOptions.DefaultNaiveQuestions;

    [Option("batch-sizes", Default = BenchOptions.DefaultBatchSizes, HelpText = "eval: fast-path batch sizes (rows per forward).")]
    public string BatchSizes { get; set; } = BenchOptions.DefaultBatchSizes;

    [Option("full-logits-batch", Default = BenchOptions.DefaultFullLogitsBatch, HelpText = "eval: batch size of the generation path's full-logits run (0 = skip).")]
    public int FullLogitsBatch { get; set; } = BenchOptions.DefaultFullLogitsBatch;

    [Option("artifacts", HelpText = "train-prepare/train-step (internal): the folder the training artifacts are written to / loaded from.")]
    public string? Artifacts { get; set; }

    [Option("peer", HelpText = "generate, eval: also run llama.cpp (LLamaSharp, CPU) on the same weights as GGUF in the same rounds (none or llama.cpp; default none).")]
    public PeerChoice Peer { get; set; } = PeerChoice.None;

    [Option("quick", HelpText = "Smallest settings (smoke test).")]
    public bool Quick { get; set; }

    public int Run(CancellationToken cancellationToken) => Benchmarks.Run(Target, new BenchOptions
    {
        Threads = Threads, Models = Models, Stories260K = Stories260K, Steps = Steps, Repeats = Repeats, Csv = Csv,
        Tokenizer = Tokenizer, MedQa = MedQa, Questions = Questions, NaiveQuestions = NaiveQuestions, BatchSizes = BatchSizes,
        FullLogitsBatch = FullLogitsBatch, Artifacts = Artifacts, Peer = Peer.ToBenchPeer(), Quick = Quick,
        Output = new BenchOutput(AnsiConsole.Console, Console.Out),
    }, cancellationToken);
}
