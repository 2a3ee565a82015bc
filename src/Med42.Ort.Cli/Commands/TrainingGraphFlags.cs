// The flags that shape the training graphs — mode, LoRA, QLoRA block size, kernels, checkpointing, seed —
// declared once for `train` and `export-artifacts`. Each overrides its TrainOptions field (the defaults live
// there and in LoraConfig, nowhere else).
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Commands;

internal abstract class TrainingGraphFlags
{
    [Option("mode", HelpText = "full, lora (default) or qlora (LoRA over an int4 frozen base; needs libmed42_ort_ops).")]
    [Overrides(nameof(TrainOptions.Mode))]
    public TrainingMode? Mode { get; set; }

    [Option("int4-block-size", HelpText = "qlora: int4 block size of the frozen base (16, 32, 64, 128; default 32).")]
    [Overrides(nameof(TrainOptions.Int4BlockSize))]
    public int? Int4BlockSize { get; set; }

    [Option("lora-rank", HelpText = "LoRA rank r (default 8).")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Rank))]
    public int? LoraRank { get; set; }

    [Option("lora-alpha", HelpText = "LoRA alpha: the update is scaled by alpha / r (default 16).")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Alpha))]
    public double? LoraAlpha { get; set; }

    [Option("lora-dropout", HelpText = "Dropout probability on the LoRA branch's input (default 0).")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Dropout))]
    public double? LoraDropout { get; set; }

    [Option("lora-targets", Separator = ',', HelpText = "Projections to adapt, comma-separated (default q_proj,v_proj).")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Targets))]
    public IEnumerable<string>? LoraTargets { get; set; }

    [Option("kernels", HelpText = "onnx (default) or native: ai.med42 custom ops for RMSNorm/rotary (libmed42_ort_ops).")]
    [Overrides(nameof(TrainOptions.Kernels))]
    public LlamaKernels? Kernels { get; set; }

    [Option("gradient-checkpointing", HelpText = "Recompute each decoder layer in the backward pass.")]
    [Overrides(nameof(TrainOptions.GradientCheckpointing))]
    public bool GradientCheckpointing { get; set; }

    [Option("seed", HelpText = "Seed of the LoRA initialisation (train: also of data order and dropout; default 42).")]
    [Overrides(nameof(TrainOptions.Seed))]
    public ulong? Seed { get; set; }
}
