// `med42 export-artifacts`: the training graphs `train` would build (same flags: mode, LoRA, QLoRA block size,
// kernels, checkpointing, seed) written out with the initial checkpoint, for inspection. Wiring only.
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Commands;

[Verb("export-artifacts", HelpText = "Write training artifacts (training_model.onnx, eval_model.onnx, checkpoint/) for inspection.")]
internal sealed class ExportArtifactsCommand : TrainingGraphFlags, ICommand
{
    [Option("model", Required = true, HelpText = "Base checkpoint.")] public string Model { get; set; } = "";
    [Option("out", Required = true, HelpText = "Output folder.")] public string Out { get; set; } = "";

    /// <summary>The training defaults with the given flags applied, validated as far as the graphs need.</summary>
    public TrainOptions Options()
    {
        var flags = FlagOverlay.Of(this);
        var o = flags.Apply(new TrainOptions());
        return flags.Validate(() => o.ValidateArtifacts("command line"), hasRecipe: false);
    }

    public int Run(CancellationToken cancellationToken)
    {
        var o = Options();
        using var ckpt = LlamaCheckpoint.Open(Model);
        var lora = o.Mode.IsAdapter() ? o.Lora : null;
        var a = TrainingArtifacts.Export(ckpt.Config, ckpt.Weights, o.Mode, lora, o.ToArtifactOptions(), Out);
        Console.WriteLine($"wrote {Out}: {TrainingArtifacts.TrainingModelFile} ({a.Parameters.Count} trainable tensors, {a.Parameters.Sum(p => p.ElementCount):N0} parameters), {TrainingArtifacts.EvalModelFile}, {TrainingArtifacts.CheckpointFolder}/");
        return 0;
    }
}
