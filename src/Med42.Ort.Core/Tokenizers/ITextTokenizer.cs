// The tokenizer contract every consumer (generation, training data, evaluation) uses.
// Implementations: SentencePiece tokenizer.model, llama2.c tokenizer.bin, HF tokenizer.json.
namespace Med42.Ort.Core.Tokenizers;

public interface ITextTokenizer
{
    int VocabSize { get; }
    int BosId { get; }
    int EosId { get; }

    /// <summary>Encodes as Llama-2 does: optional BOS, a dummy-prefix space for non-empty text, byte fallback, no EOS.</summary>
    IReadOnlyList<int> Encode(string text, bool addBos = true);

    /// <summary>Decodes ids to text (special tokens skipped, leading dummy-prefix space removed).</summary>
    string Decode(IEnumerable<int> ids);

    /// <summary>
    /// The text piece for <paramref name="id"/> when it follows <paramref name="previousId"/>, for streaming output
    /// (llama2.c's rule: a piece right after BOS loses its leading space; byte tokens are returned as raw bytes).
    /// </summary>
    byte[] DecodePiece(int previousId, int id);
}
