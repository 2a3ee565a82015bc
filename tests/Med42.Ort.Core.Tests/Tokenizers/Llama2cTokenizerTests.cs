// llama2.c tokenizer.bin reader: layout (MANIFEST §1.2) and errors on damaged files.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class Llama2cTokenizerTests
{
    [SkippableFact]
    public void Tok512_LayoutMatchesManifest()
    {
        var tok = Llama2cTokenizer.Load(SharedData.Path(ReferenceData.Tok512Bin));
        Assert.Equal("\n<s>\n"u8.ToArray(), tok.TokenBytes(1).ToArray());
        Assert.Equal("\n</s>\n"u8.ToArray(), tok.TokenBytes(2).ToArray());
        Assert.Equal("<0x00>"u8.ToArray(), tok.TokenBytes(3).ToArray());
        Assert.Equal(" t"u8.ToArray(), tok.TokenBytes(259).ToArray());
        Assert.Equal(0f, tok.Score(259));
        Assert.Equal("he"u8.ToArray(), tok.TokenBytes(260).ToArray());
        Assert.Equal(-1f, tok.Score(260));
        Assert.Equal(new byte[] { 0x41 }, tok.DecodePiece(5, 3 + 0x41)); // <0x41> → raw byte 'A'
    }

    [SkippableFact]
    public void Truncated_NamesFileAndOffset()
    {
        var bytes = File.ReadAllBytes(SharedData.Path(ReferenceData.Tok512Bin));
        // Cut inside token 0's bytes: header 4 + score 4 + length 4 = byte 12 is where "<unk>" begins.
        var ex = Assert.Throws<Med42Exception>(() => Llama2cTokenizer.Parse(bytes[..14], "tok512.bin"));
        Assert.StartsWith("tok512.bin: byte 12: token 0:", ex.Message);
        Assert.Contains("truncated", ex.Message);
        // Cut inside the last token's score/length fields.
        var ex2 = Assert.Throws<Med42Exception>(() => Llama2cTokenizer.Parse(bytes[..^8], "tok512.bin", 512));
        Assert.Matches(@"^tok512\.bin: byte \d+: token 511: ", ex2.Message);
    }

    [Fact]
    public void BadLengthAndVocabMismatch_AreReported()
    {
        // max_token_length 4, token 0: score 0, length 9 (> max) at byte 8.
        var bytes = new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var ex = Assert.Throws<Med42Exception>(() => Llama2cTokenizer.Parse(bytes, "t.bin"));
        Assert.StartsWith("t.bin: byte 8: token 0: length 9", ex.Message);
        var ok = new byte[] { 4, 0, 0, 0 }.Concat(Enumerable.Range(0, 3).SelectMany(_ => new byte[] { 0, 0, 0, 0, 1, 0, 0, 0, (byte)'x' })).ToArray();
        var ex2 = Assert.Throws<Med42Exception>(() => Llama2cTokenizer.Parse(ok, "t.bin", vocabSize: 5));
        Assert.Equal("t.bin: byte 31: file ends after 3 tokens but the checkpoint's vocab_size is 5", ex2.Message);
        Assert.Throws<Med42Exception>(() => Llama2cTokenizer.Parse([1, 0], "t.bin"));
    }
}
