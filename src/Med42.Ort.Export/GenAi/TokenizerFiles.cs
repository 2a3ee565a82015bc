// Puts the Hugging Face tokenizer files GenAI loads (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json) into an export folder: converted from a SentencePiece .model
// (HfTokenizerJson, transformers' LlamaConverter layout) or copied from a folder that has them.
// Missing or mismatched tokenizers are refused before anything is written.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;

namespace Med42.Ort.Export.GenAi;

public sealed record TokenizerSource(string Path, bool IsSentencePiece)
{
    /// <summary>
    /// The tokenizer for <paramref name="modelPath"/>: <paramref name="explicitPath"/> when given, else
    /// tokenizer.model / tok{V}.model / tokenizer.json beside the model. Checks the vocab size.
    /// </summary>
    public static TokenizerSource Find(string modelPath, string? explicitPath, LlamaConfig config)
    {
        var dir = ModelPath.Folder(modelPath);
        string? path = explicitPath;
        if (path is not null && Directory.Exists(path)) { dir = path; path = null; }
        path ??= new[] { "tokenizer.model", $"tok{config.VocabSize}.model", HfTokenizerJson.TokenizerFile }
            .Select(n => System.IO.Path.Combine(dir, n)).FirstOrDefault(File.Exists);
        if (path is null || !File.Exists(path))
            throw new Med42Exception($"{explicitPath ?? dir}: missing tokenizer files: need a SentencePiece tokenizer.model (or tok{config.VocabSize}.model) " +
                "or tokenizer.json + tokenizer_config.json (pass --tokenizer)");
        var source = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? new TokenizerSource(path, false) : new TokenizerSource(path, true);
        if (!source.IsSentencePiece && !File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, HfTokenizerJson.ConfigFile)))
            throw new Med42Exception($"{path}: missing tokenizer files: {HfTokenizerJson.ConfigFile} must sit beside tokenizer.json (GenAI reads both)");
        var vocab = source.IsSentencePiece ? SentencePieceModel.Load(path).VocabSize : HfTokenizerJson.Load(path).VocabSize;
        if (vocab != config.VocabSize)
            throw new Med42Exception($"{path}: tokenizer has {vocab} tokens but the model's vocab_size is {config.VocabSize}");
        return source;
    }

    /// <summary>Writes or copies the tokenizer files into <paramref name="folder"/>.</summary>
    public void WriteTo(string folder, int contextLength)
    {
        if (IsSentencePiece)
        {
            HfTokenizerJson.Write(SentencePieceModel.Load(Path), folder, new HfTokenizerOptions { ModelMaxLength = contextLength, ChatTemplate = Llama.Chat.Med42ChatTemplate.Jinja });
            File.Copy(Path, System.IO.Path.Combine(folder, "tokenizer.model"), overwrite: true);
            return;
        }
        var src = System.IO.Path.GetDirectoryName(Path)!;
        foreach (var f in new[] { HfTokenizerJson.TokenizerFile, HfTokenizerJson.ConfigFile, HfTokenizerJson.SpecialTokensFile, "tokenizer.model" })
            if (File.Exists(System.IO.Path.Combine(src, f))) File.Copy(System.IO.Path.Combine(src, f), System.IO.Path.Combine(folder, f), overwrite: true);
    }
}
