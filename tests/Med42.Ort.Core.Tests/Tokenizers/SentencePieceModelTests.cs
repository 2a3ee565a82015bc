// SentencePiece ModelProto reader: tok512.model agrees with MANIFEST §1.3 and with tok512.bin
// (an independent export of the same model); damaged protobuf is reported with a byte offset.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class SentencePieceModelTests
{
    [SkippableFact]
    public void Tok512_MatchesManifestAndTokenizerBin()
    {
        var model = SentencePieceModel.Load(SharedData.Path(ReferenceData.Tok512Model));
        var bin = Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Tok512Bin));
        Assert.Equal(512, model.VocabSize);
        Assert.Equal(SentencePieceModelType.Bpe, model.ModelType);
        Assert.True(model.ByteFallback);
        Assert.True(model.AddDummyPrefix);
        Assert.Equal((0, 1, 2), (model.UnkId, model.BosId, model.EosId));
        Assert.Equal(PieceType.Unknown, model.Pieces[0].Type);
        Assert.Equal(PieceType.Control, model.Pieces[1].Type);
        Assert.Equal(PieceType.Control, model.Pieces[2].Type);
        Assert.All(Enumerable.Range(3, 256), i => Assert.Equal(PieceType.Byte, model.Pieces[i].Type));
        Assert.Equal(new SentencePiece("▁t", 0, PieceType.Normal), model.Pieces[259]);
        Assert.Equal(new SentencePiece("he", -1, PieceType.Normal), model.Pieces[260]);
        for (var i = 3; i < 512; i++)
        {
            Assert.Equal(Encoding.UTF8.GetString(bin.TokenBytes(i)), model.Pieces[i].Piece.Replace('▁', ' '));
            Assert.Equal(bin.Score(i), model.Pieces[i].Score);
        }
    }

    [SkippableFact]
    public void Llama2_HasMetaLayout()
    {
        var model = SentencePieceModel.Load(SharedData.Path(ReferenceData.Llama2Model));
        Assert.Equal(32000, model.VocabSize);
        Assert.True(model.ByteFallback);
        Assert.Equal("<0x0A>", model.Pieces[13].Piece); // newline is id 13 in the reference encodings
    }

    [SkippableFact]
    public void Truncated_ReportsByteOffset()
    {
        var bytes = File.ReadAllBytes(SharedData.Path(ReferenceData.Tok512Model));
        var ex = Assert.Throws<Med42Exception>(() => SentencePieceModel.Parse(bytes[..(bytes.Length / 2)], "tok512.model"));
        Assert.Matches(@"^tok512\.model: byte \d+: .*(truncated|past the end)", ex.Message);
    }

    [Fact]
    public void NotAProtobuf_IsRejected()
    {
        var ex = Assert.Throws<Med42Exception>(() => SentencePieceModel.Parse("{\"model\": 1}"u8.ToArray(), "x.model"));
        Assert.StartsWith("x.model: byte ", ex.Message);
    }
}
