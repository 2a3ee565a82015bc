using CommandLine;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Cli.Options;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Cli.Commands;

[Verb("convert", HelpText = "Convert any supported checkpoint (llama2.c .bin, .gguf, HF folder) to a Hugging Face folder.")]
internal sealed class ConvertCommand : ICommand
{
    [Option("model", Required = true, HelpText = "Source checkpoint.")]
    public string Model { get; set; } = "";

    [Option("tokenizer", HelpText = "Tokenizer to copy into the folder (found beside the model when omitted).")]
    public string? Tokenizer { get; set; }

    [Option("out", Required = true, HelpText = "Output folder (written atomically).")]
    public string Out { get; set; } = "";

    [Option("dtype", HelpText = "fp32 (default), fp16 or bf16 (f32, f16 accepted).")]
    public DTypeChoice DType { get; set; } = DTypeChoice.Fp32;

    [Option("shard-size-mb", Default = 5000, HelpText = "Shard the safetensors at this size.")]
    public long ShardMb { get; set; } = 5000;

    [Option("force", HelpText = "Replace a non-empty output folder.")]
    public bool Force { get; set; }

    public int Run(CancellationToken cancellationToken)
    {
        using var ckpt = LlamaCheckpoint.Open(Model);
        var tokenizer = Tokenizer ?? FindTokenizerFile(Model, ckpt.Config.VocabSize);
        // HF and ONNX Runtime GenAI users need tokenizer.json: derived from a SentencePiece model inside the temporary
        // folder, so a kill never leaves a folder without it under the final name.
        HfFolderWriter.Save(Out, ckpt.Config, ckpt.Weights, DType.ToDType(), ShardMb * 1000 * 1000, tokenizer, Force, tmp =>
        {
            var spm = Path.Combine(tmp, "tokenizer.model");
            if (File.Exists(spm) && !File.Exists(Path.Combine(tmp, HfTokenizerJson.TokenizerFile)))
                HfTokenizerJson.Write(SentencePieceModel.Load(spm), tmp, new HfTokenizerOptions { ModelMaxLength = ckpt.Config.MaxPositionEmbeddings });
        });
        Console.WriteLine($"wrote {Out}");
        return 0;
    }

    internal static string? FindTokenizerFile(string model, int vocab)
    {
        var dir = ModelPath.Folder(model);
        return new[] { "tokenizer.model", "tokenizer.json", $"tok{vocab}.model" }.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);
    }
}
