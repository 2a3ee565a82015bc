// A checkpoint with its tokenizer, as the CLI verbs open them.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Runtime;

public sealed class LoadedModel : IDisposable
{
    public required LlamaConfig Config { get; init; }
    public required ITensorStore Weights { get; init; }
    public required ITextTokenizer Tokenizer { get; init; }
    public required string Source { get; init; }

    public static LoadedModel Open(string modelPath, string? tokenizerPath)
    {
        var ckpt = LlamaCheckpoint.Open(modelPath);
        try
        {
            var tokenizer = ModelLoader.LoadTokenizer(tokenizerPath, modelPath, ckpt.Config);
            return new LoadedModel { Config = ckpt.Config, Weights = ckpt.Weights, Tokenizer = tokenizer, Source = ckpt.Source };
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    public void Dispose() => Weights.Dispose();
}
