// Everything `med42 train` needs, as one typed record; recipes (YAML/JSON, snake_case keys) load into it
// through RecipeLoader and CLI flags override single fields (the CLI's [Overrides] overlay). Validate()
// throws naming the offending key (Med42Exception.ForKey), so the CLI can blame a flag instead of the recipe.
// Relative paths are resolved against the current directory (the CLI runs from the repository root).
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Training.Trainer;

public sealed record TrainOptions
{
    public string Model { get; init; } = "";
    /// <summary>Tokenizer file or folder (default: the model folder, or the folder holding the model file).</summary>
    public string? Tokenizer { get; init; }
    public IReadOnlyList<string> Data { get; init; } = [];
    public string Out { get; init; } = "";
    public TrainingMode Mode { get; init; } = TrainingMode.Lora;
    public LoraConfig Lora { get; init; } = new();

    public int Epochs { get; init; } = 1;
    /// <summary>Optimizer steps; overrides epochs when set.</summary>
    public int? MaxSteps { get; init; }
    public double Lr { get; init; } = 2e-4;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public double WarmupRatio { get; init; }
    public double WeightDecay { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Global-norm clipping threshold; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    public int BatchSize { get; init; } = 1;
    public int GradAccum { get; init; } = 1;
    public int SeqLen { get; init; } = 512;
    public bool Packing { get; init; } = true;
    public TemplateKind Template { get; init; } = TemplateKind.Med42;
    public string? SystemPrompt { get; init; }
    public bool TrainOnPrompt { get; init; }
    public TruncationPolicy Truncation { get; init; } = TruncationPolicy.Truncate;
    public double ValidationFraction { get; init; }
    public bool SkipBadLines { get; init; }
    public bool Shuffle { get; init; } = true;

    /// <summary>Evaluate on the validation split every N steps (0 = only at the end, when there is a split).</summary>
    public int EvalEvery { get; init; }
    /// <summary>Write a checkpoint every N steps (0 = only at the end).</summary>
    public int SaveEvery { get; init; }
    public int KeepLast { get; init; } = 2;
    /// <summary>A checkpoint folder (checkpoints/step-N) or a previous run's output folder (its latest checkpoint).</summary>
    public string? Resume { get; init; }
    /// <summary>Start over in a non-empty Out that holds another run: its run files are removed first (RunFolder).</summary>
    public bool Force { get; init; }
    public ulong Seed { get; init; } = 42;
    public Device Device { get; init; } = Device.Cpu;
    /// <summary>ONNX Runtime intra-op threads (0 = its default). Fix it for bitwise-reproducible runs.</summary>
    public int Threads { get; init; }
    /// <summary>--kernels onnx|native: ai.med42 custom ops for RMSNorm/rotary (needs libmed42_ort_ops; float32).</summary>
    public Llama.Graphs.LlamaKernels Kernels { get; init; } = Llama.Graphs.LlamaKernels.Onnx;
    /// <summary>Recompute each decoder layer's forward in the backward pass (less activation memory, ~1/3 more compute).</summary>
    public bool GradientCheckpointing { get; init; }
    /// <summary>--mode qlora: block size of the int4 frozen base (16, 32, 64 or 128; symmetric quantisation).</summary>
    public int Int4BlockSize { get; init; } = 32;

    public TrainOptions Validate(string source = "train options")
    {
        void Fail(string field, string what) => throw Med42Exception.ForKey(source, field, what);
        if (string.IsNullOrWhiteSpace(Model)) Fail("model", "is required");
        if (Data.Count == 0 || Data.Any(string.IsNullOrWhiteSpace)) Fail("data", "must list at least one data file");
        if (string.IsNullOrWhiteSpace(Out)) Fail("out", "is required");
        if (Epochs <= 0) Fail("epochs", $"must be positive, got {Epochs}");
        if (MaxSteps is <= 0) Fail("max_steps", $"must be positive, got {MaxSteps}");
        if (!(Lr > 0) || double.IsInfinity(Lr)) Fail("lr", $"must be positive, got {Lr}");
        if (!(WarmupRatio >= 0 && WarmupRatio <= 1)) Fail("warmup_ratio", $"must be in [0, 1], got {WarmupRatio}");
        if (!(WeightDecay >= 0)) Fail("weight_decay", $"must be non-negative, got {WeightDecay}");
        if (!(Beta1 >= 0 && Beta1 < 1)) Fail("beta1", $"must be in [0, 1), got {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) Fail("beta2", $"must be in [0, 1), got {Beta2}");
        if (!(Epsilon > 0)) Fail("epsilon", $"must be positive, got {Epsilon}");
        if (!(MaxGradNorm >= 0)) Fail("max_grad_norm", $"must be non-negative, got {MaxGradNorm}");
        if (BatchSize <= 0) Fail("batch_size", $"must be positive, got {BatchSize}");
        if (GradAccum <= 0) Fail("grad_accum", $"must be positive, got {GradAccum}");
        if (SeqLen < 2) Fail("seq_len", $"must be at least 2, got {SeqLen}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) Fail("validation_fraction", $"must be in [0, 1), got {ValidationFraction}");
        if (EvalEvery < 0) Fail("eval_every", $"must be non-negative, got {EvalEvery}");
        if (SaveEvery < 0) Fail("save_every", $"must be non-negative, got {SaveEvery}");
        if (KeepLast <= 0) Fail("keep_last", $"must be positive, got {KeepLast}");
        if (Threads < 0) Fail("threads", $"must be non-negative, got {Threads}");
        return ValidateArtifacts(source);
    }

    /// <summary>The checks of what shapes the training graphs (LoRA, int4 block size): all that `export-artifacts` needs.</summary>
    public TrainOptions ValidateArtifacts(string source = "train options")
    {
        if (Mode.IsAdapter()) Lora.Validate(source, "lora.");
        if (Mode == TrainingMode.Qlora && !Llama.Int4.Int4Options.BlockSizes.Contains(Int4BlockSize))
            throw Med42Exception.ForKey(source, "int4_block_size", $"must be one of {string.Join(", ", Llama.Int4.Int4Options.BlockSizes)}, got {Int4BlockSize}");
        return this;
    }

    public ArtifactOptions ToArtifactOptions() => new()
    {
        Seed = Seed, GradientCheckpointing = GradientCheckpointing, Kernels = Kernels, Int4BlockSize = Int4BlockSize,
    };

    public DataOptions ToDataOptions() => new()
    {
        Template = Template, SystemPrompt = SystemPrompt, SeqLen = SeqLen, Packing = Packing, TrainOnPrompt = TrainOnPrompt,
        Truncation = Truncation, ValidationFraction = ValidationFraction, Seed = Seed, SkipBadLines = SkipBadLines,
    };
}
