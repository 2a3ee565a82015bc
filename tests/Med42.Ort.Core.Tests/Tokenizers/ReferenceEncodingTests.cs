// The five published Llama-2 reference encodings and tok512's "Once upon a time",
// through tokenizer.model (Microsoft.ML.Tokenizers) and llama2.c tokenizer.bin (run.c encode()).
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class ReferenceEncodingTests
{
    public static IEnumerable<object[]> Llama2Cases() => ReferenceData.Llama2;

    [SkippableTheory]
    [MemberData(nameof(Llama2Cases))]
    public void SentencePiece_Llama2_MatchesMeta(string text, int[] expected)
    {
        var tok = SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Llama2Model));
        Assert.Equal(expected, tok.Encode(text));
        Assert.Equal(expected.Skip(1), tok.Encode(text, addBos: false));
    }

    [SkippableTheory]
    [MemberData(nameof(Llama2Cases))]
    public void Llama2c_Llama2_MatchesMeta(string text, int[] expected)
    {
        var tok = Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Llama2Bin), vocabSize: 32000);
        Assert.Equal(expected, tok.Encode(text));
    }

    [SkippableFact]
    public void Tok512_BothFormats_MatchManifest()
    {
        var sp = SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Tok512Model));
        var bin = Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Tok512Bin), vocabSize: 512);
        Assert.Equal(ReferenceData.Tok512Ids, sp.Encode(ReferenceData.Tok512Text));
        Assert.Equal(ReferenceData.Tok512Ids, bin.Encode(ReferenceData.Tok512Text));
        Assert.Equal(512, sp.VocabSize);
        Assert.Equal(512, bin.VocabSize);
        Assert.Equal(7, bin.MaxTokenLength); // MANIFEST §1.2
    }

    [SkippableFact]
    public void SentencePieceAndLlama2c_AgreeOnMedQa()
    {
        // Two independent encoders (ML.Tokenizers vs a run.c port) over the same vocabulary.
        var sp = SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Llama2Model));
        var bin = Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Llama2Bin));
        foreach (var q in ReferenceData.MedQaQuestions(50))
            Assert.Equal(sp.Encode(q), bin.Encode(q));
    }

    [SkippableFact]
    public void Decode_InvertsEncode_ForEveryTokenizer()
    {
        ITextTokenizer[] toks =
        [
            SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Llama2Model)),
            Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Llama2Bin)),
            SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Tok512Model)),
            Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Tok512Bin)),
        ];
        foreach (var tok in toks)
            foreach (var s in ReferenceData.RoundTripStrings())
                Assert.Equal(ReferenceData.WithoutExtraSpaces(s, tok is SentencePieceTokenizer sp && sp.Model.RemoveExtraWhitespaces), tok.Decode(tok.Encode(s)));
    }

    [SkippableFact]
    public void DecodePiece_StreamsBytes_AsRunC()
    {
        // tok512 has no "🙂" or "é" pieces, so these come back as <0xNN> byte tokens one byte at a time.
        const string text = "Once upon a time 🙂 café";
        foreach (var tok in new ITextTokenizer[]
                 {
                     SentencePieceTokenizer.Load(SharedData.Path(ReferenceData.Tok512Model)),
                     Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Tok512Bin)),
                 })
        {
            var ids = tok.Encode(text);
            Assert.Contains(ids, id => id >= 3 && id <= 258);
            var bytes = new List<byte>();
            for (var i = 1; i < ids.Count; i++) bytes.AddRange(tok.DecodePiece(ids[i - 1], ids[i]));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), bytes.ToArray());
            var notAfterBos = tok.DecodePiece(ids[2], ids[1]);
            Assert.Equal((byte)' ', notAfterBos[0]); // the space stays unless the previous token is BOS
            Assert.Equal(notAfterBos[1..], tok.DecodePiece(tok.BosId, ids[1]));
        }
    }
}
