// tokenizer.model strictness on hand-built ModelProtos: the valid small BPE model loads and encodes,
// and each defect the hardening issue found accepted (a NaN score, an empty piece, no UNKNOWN piece)
// or that SentencePiece's own verifier refuses (duplicate pieces, ids outside the vocabulary, a wire
// type that does not match the field) is a Med42Exception naming the piece or field.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;
using Piece = Med42.Ort.Tests.Shared.SentencePieceProto.Piece;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class SentencePieceStrictTests
{
    private static Med42Exception Refused(List<Piece> pieces, int unkId = 0) =>
        Assert.Throws<Med42Exception>(() => SentencePieceModel.Parse(SentencePieceProto.Build(pieces, unkId), "t.model"));

    [Fact]
    public void TheHandBuiltModelLoadsAndEncodes()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t.model"), SentencePieceProto.Build());
        var tok = SentencePieceTokenizer.Load(dir.File("t.model"));
        var ids = tok.Encode("the heat");
        Assert.Equal(1, ids[0]);
        Assert.Equal("the heat", tok.Decode(ids));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteScoreIsRefused(float score)
    {
        var pieces = SentencePieceProto.SmallBpePieces();
        pieces[261] = pieces[261] with { Score = score };
        Assert.Matches($@"^t\.model: byte [1-9]\d+: piece 261 \('▁a'\): score {score} is not finite$", Refused(pieces).Message);
    }

    [Fact]
    public void EmptyPieceIsRefused()
    {
        var pieces = SentencePieceProto.SmallBpePieces();
        pieces[290] = pieces[290] with { Text = "" };
        Assert.Matches(@"^t\.model: byte [1-9]\d+: piece 290 is empty$", Refused(pieces).Message);
    }

    [Fact]
    public void NoUnknownPieceIsRefused()
    {
        var pieces = SentencePieceProto.SmallBpePieces();
        pieces[0] = pieces[0] with { Type = 3 }; // <unk> as a control piece
        Assert.Equal("t.model: piece 0: the model has no UNKNOWN piece (SentencePiece needs exactly one, at unk_id)", Refused(pieces).Message);
        pieces[0] = pieces[0] with { Type = 2 };
        Assert.StartsWith("t.model: piece 5: UNKNOWN pieces at [0] but unk_id is 5", Refused(pieces, unkId: 5).Message);
    }

    [Fact]
    public void DuplicatePieceIsRefused()
    {
        var pieces = SentencePieceProto.SmallBpePieces();
        pieces.Add(pieces[260]);
        Assert.Equal($"t.model: piece {pieces.Count - 1}: 'he' is already piece 260 (SentencePiece requires distinct pieces)", Refused(pieces).Message);
    }

    [Fact]
    public void IdOutsideTheVocabularyIsRefused()
    {
        var e = Assert.Throws<Med42Exception>(() => SentencePieceModel.Parse(SentencePieceProto.Build(bosId: 100_000), "t.model"));
        Assert.StartsWith("t.model: trainer_spec.bos_id: bos_id 100000 is outside", e.Message);
    }
}
