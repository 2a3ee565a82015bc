// Opens what `--model` / `--tokenizer` name: any supported checkpoint plus its tokenizer, and builds
// decoder sessions over it. The tokenizer is found beside the model when not given (tokenizer.model,
// tokenizer.json, tokenizer.bin, or llama2.c's tok{vocab}.model / .bin) and must match the model's vocab.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Runtime;

public static class ModelLoader
{
    public static ITextTokenizer LoadTokenizer(string? tokenizerPath, string modelPath, LlamaConfig config)
    {
        var path = tokenizerPath ?? FindTokenizer(modelPath, config)
            ?? throw new Med42Exception($"{modelPath}: no tokenizer found beside the model; pass --tokenizer (tokenizer.model, tokenizer.json or a llama2.c tokenizer .bin)");
        var tokenizer = TokenizerLoader.Load(path, config.VocabSize);
        if (tokenizer.VocabSize != config.VocabSize)
            throw new Med42Exception($"{path}: tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {config.VocabSize}");
        return tokenizer;
    }

    private static string? FindTokenizer(string modelPath, LlamaConfig config)
    {
        var dir = ModelPath.Folder(modelPath);
        string[] names = [.. TokenizerLoader.FolderCandidates, $"tok{config.VocabSize}.model", $"tok{config.VocabSize}.bin"];
        return names.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);
    }

    /// <summary>A decoder session (KV cache, logits) over in-memory or lazily read weights.</summary>
    /// <param name="attention">Plain or Gqa (the decoder keeps a KV cache; Mha is refused).</param>
    /// <param name="kernels">Native: RMSNorm and rotary as ai.med42 custom ops (the library is registered with the session).</param>
    public static DecoderSession CreateDecoder(LlamaConfig config, ITensorStore weights, SessionSettings settings, DType computeType = DType.F32,
        AttentionKind attention = AttentionKind.Plain, LlamaKernels kernels = LlamaKernels.Onnx)
    {
        var graph = new DecodingGraphBuilder(config, Precision.Of(computeType), attention.ForDecoding(), kernels.Strategy()).Build(weights);
        var bytes = OnnxExport.ToBytes(graph);
        if (kernels == LlamaKernels.Native)
            settings = settings with { CustomOpLibraries = [.. settings.CustomOpLibraries, .. Native.OrtCustomOps.LibrariesFor(true)] };
        return new DecoderSession(settings.CreateSession(bytes), config);
    }
}
