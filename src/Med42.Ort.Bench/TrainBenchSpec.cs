// One `bench train` configuration ("NAME:full|lora:ckpt|plain"), shared by the parent and its two child modes
// (train-prepare writes the artifacts, train-step loads them and times the steps) so both build the same thing.
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Artifacts;

namespace Med42.Ort.Bench;

internal sealed record TrainBenchSpec(string Model, TrainingMode Mode, bool Checkpointing)
{
    /// <summary>LoRA r = 8 on q_proj, v_proj, no dropout (so the training graph has no mask inputs).</summary>
    public static LoraConfig Lora { get; } = new() { Rank = 8, Alpha = 16, Targets = ["q_proj", "v_proj"] };

    /// <summary>The initial trainable parameters, as train-prepare writes them for train-step.</summary>
    public const string ParamsFile = "params.safetensors";

    public string ModeName => Mode == TrainingMode.Full ? "full" : "lora";

    public override string ToString() => $"{Model}:{ModeName}:{(Checkpointing ? "ckpt" : "plain")}";

    public static TrainBenchSpec Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[1] is not ("full" or "lora") || parts[2] is not ("ckpt" or "plain"))
            throw new Med42Exception($"bench train-prepare/train-step: --models must be NAME:full|lora:ckpt|plain, got '{text}'");
        return new(parts[0], parts[1] == "full" ? TrainingMode.Full : TrainingMode.Lora, parts[2] == "ckpt");
    }

    public LoraConfig? LoraOrNull => Mode == TrainingMode.Lora ? Lora : null;

    /// <summary>The trainable parameters in the training graph's order.</summary>
    public IReadOnlyList<WeightSpec> Parameters(LlamaConfig config) =>
        Mode == TrainingMode.Full ? WeightLayout.For(config) : LoraWeights.For(config, Lora);

    /// <summary>B×T per step: the shape's context for the small models, 1×256 for 110M (a step stays a few seconds on 2 cores).</summary>
    public static (int Batch, int SeqLen) Shape(LlamaConfig config, bool quick) =>
        (config.HiddenSize >= 768 ? 1 : quick ? 2 : 4, Math.Min(256, config.MaxPositionEmbeddings));
}
