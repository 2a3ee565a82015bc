// What a `bench TARGET` run is given, as the CLI's bench verb parses it (its flags carry these defaults). Each
// benchmark reads the fields it uses; lists stay comma-separated text so child processes get them back verbatim.
namespace Med42.Ort.Bench;

/// <summary>--peer: another inference engine measured in the same run as ours (generate, eval).</summary>
public enum BenchPeer
{
    None,
    /// <summary>llama.cpp (LLamaSharp's CPU build) on the same weights exported to GGUF.</summary>
    LlamaCpp,
}

public sealed record BenchOptions
{
    public const string DefaultThreads = "1,2";
    public const string DefaultModels = "stories260K,15M,110M";
    public const int DefaultSteps = 256;
    public const int DefaultRepeats = 3;
    public const string DefaultCsv = "bench-results.csv";
    public const int DefaultQuestions = 8;
    public const int DefaultNaiveQuestions = 2;
    public const string DefaultBatchSizes = "1,2,4,8,16,32";
    public const int DefaultFullLogitsBatch = 4;

    /// <summary>Where tables and lines go (the CLI: its console; default: discarded).</summary>
    public BenchOutput Output { get; init; } = BenchOutput.Discard;
    /// <summary>Comma-separated thread counts to sweep.</summary>
    public string Threads { get; init; } = DefaultThreads;
    /// <summary>Comma-separated model names (BenchShapes: stories260K, 15M, 110M).</summary>
    public string Models { get; init; } = DefaultModels;
    /// <summary>stories260K.bin (default: ../shared/data/models/stories260K/stories260K.bin if present).</summary>
    public string? Stories260K { get; init; }
    /// <summary>generate: generated positions per run.</summary>
    public int Steps { get; init; } = DefaultSteps;
    /// <summary>Timed repetitions; the median is reported.</summary>
    public int Repeats { get; init; } = DefaultRepeats;
    /// <summary>CSV file rows are appended to.</summary>
    public string Csv { get; init; } = DefaultCsv;
    /// <summary>eval: the Llama-2 tokenizer.model (32000 pieces).</summary>
    public string? Tokenizer { get; init; }
    /// <summary>eval: MedQA 4-option JSONL.</summary>
    public string? MedQa { get; init; }
    /// <summary>eval: MedQA questions per timed run.</summary>
    public int Questions { get; init; } = DefaultQuestions;
    /// <summary>eval: questions for the (slow) naive path.</summary>
    public int NaiveQuestions { get; init; } = DefaultNaiveQuestions;
    /// <summary>eval: fast-path batch sizes (rows per forward), comma-separated.</summary>
    public string BatchSizes { get; init; } = DefaultBatchSizes;
    /// <summary>eval: batch size of the generation path's full-logits run (0 = skip).</summary>
    public int FullLogitsBatch { get; init; } = DefaultFullLogitsBatch;
    /// <summary>train-prepare/train-step (child modes of train): the artifacts folder written / read.</summary>
    public string? Artifacts { get; init; }
    /// <summary>generate, eval: the peer measured beside ours (validated equal at f32 first).</summary>
    public BenchPeer Peer { get; init; }
    /// <summary>Smallest settings (smoke test).</summary>
    public bool Quick { get; init; }

    public int[] ThreadCounts() => Threads.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
    public string[] ModelNames() => Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
