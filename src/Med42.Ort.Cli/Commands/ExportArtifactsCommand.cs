using CommandLine;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Artifacts;

namespace Med42.Ort.Cli.Commands;

[Verb("export-artifacts", HelpText = "Write training artifacts (training_model.onnx, eval_model.onnx, checkpoint/) for inspection.")]
internal sealed class ExportArtifactsCommand : ICommand
{
    [Option("model", Required = true)] public string Model { get; set; } = "";
    [Option("mode", Default = "lora", HelpText = "full, lora or qlora.")] public string Mode { get; set; } = "lora";
    [Option("lora-rank", Default = 8)] public int LoraRank { get; set; } = 8;
    [Option("lora-alpha", Default = 16.0)] public double LoraAlpha { get; set; } = 16;
    [Option("lora-dropout", Default = 0.0)] public double LoraDropout { get; set; }
    [Option("lora-targets", Separator = ',', Default = new[] { "q_proj", "v_proj" })] public IEnumerable<string> LoraTargets { get; set; } = ["q_proj", "v_proj"];
    [Option("seed", Default = 42UL)] public ulong Seed { get; set; } = 42;
    [Option("out", Required = true)] public string Out { get; set; } = "";

    public int Run(CancellationToken cancellationToken)
    {
        var mode = Enum.TryParse<TrainingMode>(Mode, true, out var m) ? m : throw new Med42Exception($"--mode: unknown mode '{Mode}' (expected full, lora or qlora)");
        using var ckpt = LlamaCheckpoint.Open(Model);
        var lora = mode.IsAdapter()
            ? new LoraConfig { Rank = LoraRank, Alpha = LoraAlpha, Dropout = LoraDropout, Targets = LoraTargets.ToList() }.Validate("--lora-*")
            : null;
        var a = TrainingArtifacts.Export(ckpt.Config, ckpt.Weights, mode, lora, new ArtifactOptions { Seed = Seed }, Out);
        Console.WriteLine($"wrote {Out}: {TrainingArtifacts.TrainingModelFile} ({a.Parameters.Count} trainable tensors, {a.Parameters.Sum(p => p.ElementCount):N0} parameters), {TrainingArtifacts.EvalModelFile}, {TrainingArtifacts.CheckpointFolder}/");
        return 0;
    }
}
