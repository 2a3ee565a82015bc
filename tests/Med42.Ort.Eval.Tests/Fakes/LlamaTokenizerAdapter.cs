// Test-only adapter from Microsoft.ML.Tokenizers' LlamaTokenizer to ITextTokenizer (the project's own
// SentencePiece wrapper is written elsewhere); used to check the request split on real Llama-2 merges.
using Med42.Ort.Core.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace Med42.Ort.Eval.Tests.Fakes;

public sealed class LlamaTokenizerAdapter(LlamaTokenizer tokenizer) : ITextTokenizer
{
    public static LlamaTokenizerAdapter Load(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        return new LlamaTokenizerAdapter(LlamaTokenizer.Create(stream));
    }

    public int VocabSize => tokenizer.Vocabulary.Count;
    public int BosId => tokenizer.BeginningOfSentenceId;
    public int EosId => tokenizer.EndOfSentenceId;
    public IReadOnlyList<int> Encode(string text, bool addBos = true) => tokenizer.EncodeToIds(text, addBos, false);
    public string Decode(IEnumerable<int> ids) => tokenizer.Decode(ids);
    public byte[] DecodePiece(int previousId, int id) => System.Text.Encoding.UTF8.GetBytes(tokenizer.Decode([id]));
}
