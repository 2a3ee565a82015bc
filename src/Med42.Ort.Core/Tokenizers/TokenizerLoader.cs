// Opens any tokenizer the project supports from a file or a model folder.
// Folder preference: tokenizer.model (the SentencePiece reference), then tokenizer.json, then tokenizer.bin.
// Test: tests/Med42.Ort.Core.Tests/Tokenizers/TokenizerLoaderTests.cs.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tokenizers;

public static class TokenizerLoader
{
    /// <summary>File names looked for in a folder, in order of preference.</summary>
    public static readonly IReadOnlyList<string> FolderCandidates = ["tokenizer.model", HfTokenizerJson.TokenizerFile, "tokenizer.bin"];

    /// <param name="path">tokenizer.model, tokenizer.json, a llama2.c tokenizer .bin, or a folder holding one.</param>
    /// <param name="llama2cVocabSize">vocab_size of the llama2.c checkpoint, checked against a .bin tokenizer when given.</param>
    public static ITextTokenizer Load(string path, int? llama2cVocabSize = null)
    {
        if (Directory.Exists(path))
        {
            foreach (var name in FolderCandidates)
            {
                var candidate = Path.Combine(path, name);
                if (File.Exists(candidate)) return LoadFile(candidate, llama2cVocabSize);
            }
            throw new Med42Exception($"{path}: no tokenizer in this folder (looked for {string.Join(", ", FolderCandidates)})");
        }
        if (!File.Exists(path)) throw new Med42Exception($"{path}: tokenizer file or folder not found");
        return LoadFile(path, llama2cVocabSize);
    }

    private static ITextTokenizer LoadFile(string path, int? llama2cVocabSize)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".model": return SentencePieceTokenizer.Load(path);
            case ".json": return HfBpeTokenizer.Load(path);
            case ".bin": return Llama2cTokenizer.Load(path, llama2cVocabSize);
            default:
                throw new Med42Exception($"{path}: unknown tokenizer format (expected a SentencePiece .model, an HF tokenizer.json or a llama2.c tokenizer .bin)");
        }
    }
}
