// Llama SentencePiece tokenizer (tokenizer.model): encoding through Microsoft.ML.Tokenizers'
// LlamaTokenizer, the piece table from our own strict ModelProto reader (for streaming decode).
// Matches Meta's Llama-2 tokenizer: BOS prepended, no EOS, dummy-prefix space, byte fallback.
// Test: tests/Med42.Ort.Core.Tests/Tokenizers/ReferenceEncodingTests.cs (MANIFEST §1.1, §2.2 ids).
using Med42.Ort.Core.Errors;
using Microsoft.ML.Tokenizers;

namespace Med42.Ort.Core.Tokenizers;

public sealed class SentencePieceTokenizer : ITextTokenizer
{
    private readonly LlamaTokenizer _llama;
    private readonly PieceDecoder _decoder;

    private SentencePieceTokenizer(SentencePieceModel model, LlamaTokenizer llama)
    {
        Model = model;
        _llama = llama;
        _decoder = new PieceDecoder(model.Pieces, model.BosId);
    }

    /// <summary>The parsed model (pieces, scores, types) — what tokenizer.json is written from.</summary>
    public SentencePieceModel Model { get; }

    public int VocabSize => Model.VocabSize;
    public int BosId => Model.BosId;
    public int EosId => Model.EosId;

    public static SentencePieceTokenizer Load(string path)
    {
        var bytes = IO.InputFile.ReadAllBytes(path, "tokenizer.model");
        var model = SentencePieceModel.Parse(bytes, path);
        if (model.ModelType != SentencePieceModelType.Bpe)
            throw Med42Exception.At(path, "trainer_spec.model_type", $"{model.ModelType} SentencePiece models are not supported; Llama uses BPE");
        LlamaTokenizer llama;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            llama = LlamaTokenizer.Create(stream, addBeginOfSentence: true, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not Med42Exception)
        {
            throw Med42Exception.At(path, "pieces", $"Microsoft.ML.Tokenizers could not load the model: {e.Message}");
        }
        return new SentencePieceTokenizer(model, llama);
    }

    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        // ML.Tokenizers returns no ids at all for "", where SentencePiece (and MANIFEST §2.2) give [BOS].
        if (text.Length == 0) return addBos ? [BosId] : [];
        return _llama.EncodeToIds(text, addBeginningOfSentence: addBos, addEndOfSentence: false);
    }

    public string Decode(IEnumerable<int> ids) => _decoder.Decode(ids);

    public byte[] DecodePiece(int previousId, int id) => _decoder.DecodePiece(previousId, id);
}
