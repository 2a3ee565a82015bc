// A byte-level test tokenizer (BOS 1, EOS 2, byte b ↦ b + 3): simple enough that expected ids can be
// written from the text, so template and label tests do not depend on a real tokenizer.
using System.Text;
using Med42.Ort.Core.Tokenizers;

namespace Med42.Ort.Training.Tests;

public sealed class CharTokenizer(int vocab = 259) : ITextTokenizer
{
    public int VocabSize => vocab;
    public int BosId => 1;
    public int EosId => 2;

    public IReadOnlyList<int> Encode(string text, bool addBos = true) =>
        [.. (addBos ? new[] { 1 } : []), .. Encoding.UTF8.GetBytes(text).Select(b => b + 3)];

    public string Decode(IEnumerable<int> ids) => Encoding.UTF8.GetString(ids.Where(i => i >= 3).Select(i => (byte)(i - 3)).ToArray());

    public byte[] DecodePiece(int previousId, int id) => id >= 3 ? [(byte)(id - 3)] : [];
}
