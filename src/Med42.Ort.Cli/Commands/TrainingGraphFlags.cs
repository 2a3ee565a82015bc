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

[DefaultsFrom(typeof(TrainOptions))]
internal abstract class TrainingGraphFlags
{
    [Option("mode", HelpText = "full, lora or qlora (LoRA over an int4 frozen base; needs libmed42_ort_ops).")]
    [Overrides(nameof(TrainOptions.Mode))]
    public TrainingMode? Mode { get; set; }

    [Option("int4-block-size", HelpText = "qlora: int4 block size of the frozen base (16, 32, 64 or 128).")]
    [Overrides(nameof(TrainOptions.Int4BlockSize))]
    public int? Int4BlockSize { get; set; }

    [Option("lora-rank", HelpText = "LoRA rank r.")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Rank))]
    public int? LoraRank { get; set; }

    [Option("lora-alpha", HelpText = "LoRA alpha: the update is scaled by alpha / r.")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Alpha))]
    public double? LoraAlpha { get; set; }

    [Option("lora-dropout", HelpText = "Dropout probability on the LoRA branch's input.")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Dropout))]
    public double? LoraDropout { get; set; }

    [Option("lora-targets", Separator = ',', HelpText = "Projections to adapt, comma-separated.")]
    [Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Targets))]
    public IEnumerable<string>? LoraTargets { get; set; }

    [Option("kernels", HelpText = "onnx or native: ai.med42 custom ops for RMSNorm/rotary (libmed42_ort_ops).")]
    [Overrides(nameof(TrainOptions.Kernels))]
    public LlamaKernels? Kernels { get; set; }

    [Option("gradient-checkpointing", HelpText = "Recompute each decoder layer in the backward pass.")]
    [Overrides(nameof(TrainOptions.GradientCheckpointing))]
    public bool GradientCheckpointing { get; set; }

    [Option("seed", HelpText = "Seed of the LoRA initialisation (train: also of data order and dropout).")]
    [Overrides(nameof(TrainOptions.Seed))]
    public ulong? Seed { get; set; }
}
