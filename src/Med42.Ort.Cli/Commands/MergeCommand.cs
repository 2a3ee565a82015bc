// `med42 merge`: base + PEFT adapter → merged Hugging Face folder (W + (α/r)·B·A, streamed tensor by tensor).
using Med42.Ort.Llama.Lora;
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Core.IO;
using Med42.Ort.Export.Merge;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Cli.Commands;

[Verb("merge", HelpText = "Merge a LoRA adapter (PEFT folder) into its base model and save an HF folder.")]
internal sealed class MergeCommand : ICommand
{
    [Option("model", Required = true, HelpText = "Base checkpoint.")]
    public string Model { get; set; } = "";

    [Option("adapter", Required = true, HelpText = "PEFT adapter folder.")]
    public string Adapter { get; set; } = "";

    [Option("tokenizer", HelpText = "Tokenizer for the merged folder (.model or a folder with tokenizer files); default: found beside the base model.")]
    public string? Tokenizer { get; set; }

    [Option("out", Required = true, HelpText = "Output folder (must be empty or absent unless --force).")]
    public string Out { get; set; } = "";

    [Option("dtype", HelpText = "fp32 (default), fp16 or bf16.")]
    public DTypeChoice DType { get; set; } = DTypeChoice.Fp32;

    [Option("force", HelpText = "Replace a non-empty output folder.")]
    public bool Force { get; set; }

    public int Run(CancellationToken cancellationToken)
    {
        OutputFolder.CheckWritable(Out, Force);
        using var ckpt = LlamaCheckpoint.Open(Model);
        using var adapter = PeftAdapter.Read(Adapter, ckpt.Config);
        var tokenizer = Tokenizer ?? ConvertCommand.FindTokenizerFile(Model, ckpt.Config.VocabSize);
        LoraMerge.Save(Out, ckpt.Config, ckpt.Weights, adapter, DType.ToDType(), tokenizer, Force);
        Console.WriteLine($"wrote {Out}");
        return 0;
    }
}
