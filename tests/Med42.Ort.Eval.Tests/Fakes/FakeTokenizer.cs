// A transparent test tokenizer: one token per character (id = 10 + char code), BOS 1, EOS 2, and
// one merge "xy" → 3, so a context ending in "x" and a continuation starting with "y" merge across
// the boundary the way SentencePiece can. No dummy prefix.
using Med42.Ort.Core.Tokenizers;

namespace Med42.Ort.Eval.Tests.Fakes;

public sealed class FakeTokenizer : ITextTokenizer
{
    public const int Xy = 3;
    public int VocabSize => 10 + 0x10000;
    public int BosId => 1;
    public int EosId => 2;

    public static int Id(char c) => 10 + c;

    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        var ids = new List<int>();
        if (addBos) ids.Add(BosId);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == 'x' && i + 1 < text.Length && text[i + 1] == 'y') { ids.Add(Xy); i++; }
            else ids.Add(Id(text[i]));
        }
        return ids;
    }

    public string Decode(IEnumerable<int> ids) =>
        string.Concat(ids.Where(i => i >= 3).Select(i => i == Xy ? "xy" : ((char)(i - 10)).ToString()));

    public byte[] DecodePiece(int previousId, int id) => System.Text.Encoding.UTF8.GetBytes(Decode([id]));
}
