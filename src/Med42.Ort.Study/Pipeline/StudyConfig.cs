// The typed configuration of `med42 study`: which base model (the embedded tiny Llama or a checkpoint),
// which instruction data, which runs (base / full / LoRA) with their hyper-parameters, and how the
// runs are evaluated. Recipes (models/recipes/*-study.yaml, snake_case keys) load into it through
// StudyConfigLoader; Validate() rejects bad input before any work starts, naming the key path
// (Med42Exception.ForKey, so the CLI can blame the flag that set it rather than the recipe file).
using System.Text.Json.Serialization;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;

namespace Med42.Ort.Study.Pipeline;

public sealed record StudyConfig
{
    /// <summary>The magic value of <see cref="Base"/>: pretrain a tiny Llama on the embedded corpus.</summary>
    public const string Embedded = "embedded";

    /// <summary>"embedded", or a checkpoint (HF folder, llama2.c .bin, .gguf).</summary>
    public string Base { get; init; } = Embedded;
    /// <summary>Tokenizer file or folder for a non-embedded base (default: beside the checkpoint).</summary>
    public string? Tokenizer { get; init; }
    /// <summary>Instruction data files (JSON/JSONL: Alpaca, chat or text); empty = the embedded instruction set.</summary>
    public IReadOnlyList<string> Instruct { get; init; } = [];
    /// <summary>Benchmark folder (medqa/, medmcqa/, pubmedqa/, mmlu/ as docs/eval.md, or ../shared/data's dev files).</summary>
    public string? DataDir { get; init; }
    public string Out { get; init; } = "runs/study";
    public Device Device { get; init; } = Device.Cpu;
    /// <summary>ONNX Runtime intra-op threads; fixed so CPU runs are bit-reproducible.</summary>
    public int Threads { get; init; } = 2;
    public int Seed { get; init; } = 42;
    public int SeqLen { get; init; } = 128;
    /// <summary>Use the embedded study MCQ sets as evaluation tasks (only meaningful with the embedded data).</summary>
    public bool StudyTasks { get; init; } = true;
    public TinyModelConfig Model { get; init; } = new();
    public PretrainConfig Pretrain { get; init; } = new();
    public EvalConfig Eval { get; init; } = new();
    public IReadOnlyList<StudyRun> Runs { get; init; } = [];

    public bool IsEmbedded => string.Equals(Base, Embedded, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks everything that can be checked without loading a model; throws naming the field.</summary>
    public StudyConfig Validate(string source = "study config")
    {
        Med42Exception Bad(string field, string what) => Med42Exception.ForKey(source, field, what);
        if (string.IsNullOrWhiteSpace(Base)) throw Bad("base", "is required (\"embedded\" or a checkpoint path)");
        if (!IsEmbedded && !File.Exists(Base) && !Directory.Exists(Base)) throw Bad("base", $"checkpoint not found: {Base}");
        if (Tokenizer is not null && !File.Exists(Tokenizer) && !Directory.Exists(Tokenizer)) throw Bad("tokenizer", $"not found: {Tokenizer}");
        if (!IsEmbedded && Instruct.Count == 0 && !StudyTasks)
            throw Bad("instruct", "must list instruction data for a non-embedded base that does not use the embedded study data");
        for (var i = 0; i < Instruct.Count; i++)
        {
            var p = Instruct[i];
            if (string.IsNullOrWhiteSpace(p)) throw Bad($"instruct[{i}]", "is empty");
            if (!File.Exists(p)) throw Bad($"instruct[{i}]", $"data file not found: {p}");
            if (!HasContent(p)) throw Bad($"instruct[{i}]", $"data file is empty: {p}");
        }
        if (DataDir is not null && !Directory.Exists(DataDir)) throw Bad("data_dir", $"folder not found: {DataDir}");
        if (string.IsNullOrWhiteSpace(Out)) throw Bad("out", "is required");
        if (Threads < 0) throw Bad("threads", $"must be non-negative, got {Threads}");
        if (SeqLen < 8) throw Bad("seq_len", $"must be at least 8, got {SeqLen}");
        if (IsEmbedded)
        {
            Model.Validate(source, "model.");
            Pretrain.Validate(source, "pretrain.");
        }
        Eval.Validate(source, "eval.");
        if (Runs.Count == 0) throw Bad("runs", "must list at least one run");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Runs.Count; i++)
        {
            var r = Runs[i];
            var at = $"runs[{i}]";
            if (string.IsNullOrWhiteSpace(r.Name) || r.Name.IndexOfAny(['/', '\\', ' ']) >= 0)
                throw Bad($"{at}.name", $"must be a non-empty name without spaces or slashes, got '{r.Name}'");
            if (!names.Add(r.Name)) throw Bad($"{at}.name", $"'{r.Name}' is used twice");
            if (r.Kind == RunKind.Base) continue;
            if (!(r.Lr > 0) || double.IsInfinity(r.Lr)) throw Bad($"{at}.lr", $"must be positive, got {r.Lr}");
            if (r.MaxSteps is <= 0) throw Bad($"{at}.max_steps", $"must be positive, got {r.MaxSteps}");
            if (r.Epochs <= 0) throw Bad($"{at}.epochs", $"must be positive, got {r.Epochs}");
            if (r.BatchSize <= 0) throw Bad($"{at}.batch_size", $"must be positive, got {r.BatchSize}");
            if (r.GradAccum <= 0) throw Bad($"{at}.grad_accum", $"must be positive, got {r.GradAccum}");
            if (!(r.ValidationFraction >= 0 && r.ValidationFraction < 1)) throw Bad($"{at}.validation_fraction", $"must be in [0, 1), got {r.ValidationFraction}");
            if (r.Kind == RunKind.Lora)
            {
                if (r.Lora is null) throw Bad($"{at}.lora", "is required for a lora run (rank, alpha, targets)");
                r.Lora.Validate(source, $"{at}.lora.");
            }
        }
        return this;
    }

    private static bool HasContent(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[4096];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            for (var i = 0; i < n; i++)
                if (!char.IsWhiteSpace(buffer[i]) && buffer[i] != '[' && buffer[i] != ']' && buffer[i] != '\uFEFF') return true;
        return false;
    }
}

/// <summary>Shape of the embedded tiny Llama (pretrained from random initialisation on the corpus).</summary>
public sealed record TinyModelConfig
{
    public int VocabSize { get; init; } = 512;
    public int HiddenSize { get; init; } = 64;
    public int IntermediateSize { get; init; } = 172;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    public int MaxPositions { get; init; } = 512;
    public double InitStd { get; init; } = 0.02;

    public LlamaConfig ToLlama() => new()
    {
        HiddenSize = HiddenSize, IntermediateSize = IntermediateSize, NumHiddenLayers = Layers, NumAttentionHeads = Heads,
        NumKeyValueHeads = KvHeads, VocabSize = VocabSize, MaxPositionEmbeddings = MaxPositions, TieWordEmbeddings = true,
    };

    public void Validate(string source, string keyPrefix = "")
    {
        // 259 reserved pieces (unk, bos, eos, 256 byte pieces) + at least a few merges.
        if (VocabSize < 300) throw Med42Exception.ForKey(source, keyPrefix + "vocab_size", $"must be at least 300 (259 reserved pieces + merges), got {VocabSize}");
        if (!(InitStd > 0)) throw Med42Exception.ForKey(source, keyPrefix + "init_std", $"must be positive, got {InitStd}");
        ToLlama().Validate($"{source}: {keyPrefix.TrimEnd('.')}");
    }
}

/// <summary>Pretraining of the embedded tiny Llama on the textbook corpus.</summary>
public sealed record PretrainConfig
{
    public int Steps { get; init; } = 300;
    public double Lr { get; init; } = 3e-3;
    public int BatchSize { get; init; } = 8;

    public void Validate(string source, string keyPrefix = "")
    {
        if (Steps <= 0) throw Med42Exception.ForKey(source, keyPrefix + "steps", $"must be positive, got {Steps}");
        if (!(Lr > 0)) throw Med42Exception.ForKey(source, keyPrefix + "lr", $"must be positive, got {Lr}");
        if (BatchSize <= 0) throw Med42Exception.ForKey(source, keyPrefix + "batch_size", $"must be positive, got {BatchSize}");
    }
}

/// <summary>Evaluation settings shared by every run.</summary>
public sealed record EvalConfig
{
    /// <summary>At most this many documents per benchmark task (null = all); the study's own sets are never capped.</summary>
    public int? Limit { get; init; } = 100;
    /// <summary>mcq_style: the presentations of the study sets; the first names the tasks study_* (see <see cref="McqStyle"/>).</summary>
    [JsonPropertyName("mcq_style"), JsonConverter(typeof(McqStyleListConverter))]
    public IReadOnlyList<McqStyle> McqStyles { get; init; } = [McqStyle.TextMutualInfo];
    public int BatchSize { get; init; } = 8;

    public void Validate(string source, string keyPrefix = "")
    {
        if (Limit is <= 0) throw Med42Exception.ForKey(source, keyPrefix + "limit", $"must be positive, got {Limit}");
        if (McqStyles.Count == 0 || McqStyles.Distinct().Count() != McqStyles.Count)
            throw Med42Exception.ForKey(source, keyPrefix + "mcq_style", $"must list distinct styles, got '{string.Join(",", McqStyles.Select(s => s.Name()))}'");
        if (BatchSize <= 0) throw Med42Exception.ForKey(source, keyPrefix + "batch_size", $"must be positive, got {BatchSize}");
    }
}

/// <summary>One arm of the comparison.</summary>
public sealed record StudyRun
{
    public string Name { get; init; } = "";
    public required RunKind Kind { get; init; }
    public double Lr { get; init; } = 1e-3;
    public int? MaxSteps { get; init; }
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 8;
    public int GradAccum { get; init; } = 1;
    public double WarmupRatio { get; init; } = 0.05;
    public double ValidationFraction { get; init; } = 0.05;
    public LoraConfig? Lora { get; init; }
}
